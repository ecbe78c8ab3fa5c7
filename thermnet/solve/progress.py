"""One progress bar over a whole run: every ``.step`` value, every analysis, every point.

The bar is tqdm's ``tqdm.auto`` (a widget in a notebook, text on a terminal), on stderr,
shown only after half a second and removed when the run ends.  ``.options progress=0`` or
``run(progress=False)`` turns it off; ``Progress(None)`` is the silent one.
"""
from __future__ import annotations

from typing import Any, Optional


class Progress:
    """Counts solved points against ``total`` (which may grow: a ``.step`` value can change
    the length of a sweep)."""

    def __init__(self, total: Optional[int], description: str = "thermnet"):
        self._bar: Any = None
        if total is not None:
            from tqdm.auto import tqdm
            self._bar = tqdm(total=total, desc=description, unit="pt", leave=False,
                             delay=0.5)

    @property
    def shown(self) -> bool:
        return self._bar is not None

    def expect(self, more: int) -> None:
        """The run has ``more`` points than announced (negative: fewer)."""
        if self._bar is not None and more:
            self._bar.total += more
            self._bar.refresh()

    def advance(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def points(analyses) -> int:
    """The steady states one pass of ``analyses`` solves: a sweep its values; an ``.op``,
    and the operating point of a ``.tran``, ``.ac`` or ``.noise``, one."""
    from thermnet.netlist.elaborate import Sweep
    return sum(len(a.values) if isinstance(a, Sweep) else 1 for a in (analyses or [None]))
