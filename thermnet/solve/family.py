"""A ``.step`` family run in chunks: in this process, on a pool of local processes, or on a
Dask cluster, with the same results, bit for bit, in the same order (docs/scaling.md).

The unit of work is a chunk: a run of consecutive ``.step`` combinations (all analyses of
the netlist at each).  Every combination starts cold (``analysis.run``: the balance rebound,
photon grids chosen afresh, a new solver memory), so a combination's numbers do not depend
on which process ran it or what that process ran before; the serial run (``jobs=1``) goes
through the same chunks in this process.

Each worker process builds the circuit once (parse tree -> ``Netlist``: elaboration,
graphs, balance) from a :class:`Recipe` (the parsed cards, the file name and the values set
on the netlist) and keeps it for every chunk of that family; a chunk ships only its
combination indices.  A chunk's results come back as they are (``AnalysisResult`` pickles);
with a checkpoint directory each finished chunk is written there at once
(``results/checkpoint.py``) and a rerun computes only the chunks that are missing.
"""
from __future__ import annotations

import contextlib
import hashlib
import logging
import math
import multiprocessing
import os
import pickle
import re
import threading
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

from thermnet import __version__
from thermnet.errors import ThermnetError
from thermnet.solve.progress import Progress

log = logging.getLogger(__name__)

MAX_CHUNK = 1000        # combinations in one chunk at most (a chunk's results in memory)
CHUNKS_PER_FAMILY = 64  # a family is cut in about this many chunks (load balance, checkpoints)


# ---- the combinations of a family ----------------------------------------------------------
def family_size(steps) -> int:
    """Number of .step combinations (1 without .step)."""
    return math.prod(len(s.values) for s in steps)


def combination(steps, index: int) -> Tuple[float, ...]:
    """The values of the ``index``-th .step combination in ``itertools.product`` order (the
    last .step varies fastest), without building the product."""
    values = []
    for s in reversed(steps):
        index, k = divmod(index, len(s.values))
        values.append(float(s.values[k]))
    return tuple(reversed(values))


def chunk_size(n_combos: int) -> int:
    """Combinations per chunk: about CHUNKS_PER_FAMILY chunks, at most MAX_CHUNK each.  It
    depends on the family only (never on the number of workers), so a checkpoint written
    with one ``jobs`` resumes with any other."""
    return max(1, min(MAX_CHUNK, -(-n_combos // CHUNKS_PER_FAMILY)))


def chunks(n_combos: int, size: int) -> List[range]:
    return [range(a, min(a + size, n_combos)) for a in range(0, n_combos, size)]


# ---- what a worker needs to build the circuit ------------------------------------------------
@dataclass(frozen=True)
class Recipe:
    """A netlist as parsed (its cards, expanded .includes) and the values set on it: what a
    worker process needs to build the same circuit (no file access on the worker)."""

    cards: tuple
    file: str
    params: Tuple[Tuple[str, float], ...]
    sources: Tuple[Tuple[str, float], ...]
    options: Tuple[Tuple[str, float], ...]

    @classmethod
    def of(cls, net) -> "Recipe":
        return cls(tuple(net.cards), net.file, tuple(sorted(net.params.items())),
                   tuple(sorted(net.sources.items())), tuple(sorted(net.options.items())))

    @property
    def key(self) -> str:
        """sha256 of the netlist (its cards, with every .include expanded and the source
        position of each card), the values set on it and thermnet's version: equal keys,
        equal results."""
        text = repr((__version__, self.cards, self.file, self.params, self.sources,
                     self.options))
        return hashlib.sha256(text.encode()).hexdigest()

    def build(self):
        from thermnet.api import Netlist
        net = Netlist(list(self.cards), self.file)
        for k, v in self.params:
            net.set(k, v)
        net.sources, net.options = dict(self.sources), dict(self.options)
        return net


# Netlists built in this worker, by Recipe.key, one set per thread (a Dask worker may run
# tasks in several threads; a Netlist is not shared between them): a cache of a pure
# function (the recipe determines the circuit), so that a worker elaborates a family once.
_built = threading.local()


def _netlist(recipe: Optional[Recipe], key: str):
    cache = getattr(_built, "nets", None)
    if cache is None:
        cache = _built.nets = {}
    net = cache.get(key)
    if net is None:
        assert recipe is not None
        cache.clear()                       # one family at a time per worker
        net = cache[key] = recipe.build()
    return net


class WorkerError(ThermnetError):
    """A thermnet error raised in a worker process, re-raised here with its message."""


def _solve_chunk(recipe: Optional[Recipe], key: str, combos: range):
    """Run in a worker: the results of the combinations ``combos``, or the ThermnetError
    that stopped them (as a WorkerError with its message where its class does not pickle
    back whole)."""
    try:
        return _netlist(recipe, key).solve_combinations(combos).results
    except ThermnetError as exc:
        try:
            if str(pickle.loads(pickle.dumps(exc))) == str(exc):
                return exc
        except Exception:        # noqa: BLE001 -- any pickling problem: send the text
            pass
        return WorkerError(str(exc))


def _pool_init(recipe: Recipe, key: str) -> None:
    _netlist(recipe, key)                   # elaborate once, before the first chunk


def _pool_chunk(key: str, combos: range):
    return _solve_chunk(None, key, combos)


# ---- executors: each maps chunk indices to a Future of its results ---------------------------
class _InProcess:
    """jobs=1: every chunk in this process, in order, on the caller's own netlist."""

    def __init__(self, net, progress: bool):
        self.net, self.progress = net, progress

    def solve(self, combos: range):
        try:
            return self.net.solve_combinations(combos, self.progress).results
        except ThermnetError as exc:
            return exc

    def close(self) -> None:
        pass


# imported once by the forkserver, in this order; its workers are forks of it (the physics
# kernels are otherwise imported at a worker's first steady state: about 1 s of scipy each);
# worker_threads first: one BLAS thread per worker, set before numpy loads
PRELOAD = ["thermnet.solve.worker_threads",
           "thermnet.api", "thermnet.solve.analysis", "thermnet.solve.family",
           "thermnet.physics.electron_phonon", "thermnet.physics.bcs",
           "thermnet.physics.mattis_bardeen", "thermnet.physics.nis",
           "thermnet.physics.photonic", "thermnet.physics.proximity"]


def _context() -> Any:
    """The forkserver context (the server imports the numerics once; each worker is a fork
    of it), or spawn where the platform has no forkserver."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def start_workers(jobs: Optional[int], path: str) -> None:
    """Start the forkserver now, its imports in parallel with the caller's own, if the
    netlist file at ``path`` has a ``.step`` card (a look at its text, before parsing; a
    .step in an .include is not seen, and its workers start later, as without this) and
    ``jobs`` is not 1.  The CLI calls this first thing: the workers of a family are then
    ready about when its first chunk is."""
    if jobs == 1 or "forkserver" not in multiprocessing.get_all_start_methods():
        return
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            if not re.search(r"(?im)^[ \t]*\.step\b", fh.read(1 << 20)):
                return
    except OSError:
        return                              # the parser says what is wrong with the file
    _context()
    from multiprocessing import forkserver
    forkserver.ensure_running()


class _Pool:
    """jobs > 1: this process and a pool of jobs - 1 local processes (forkserver where the
    platform has it, else spawn: safe with threads in the caller), each building the
    circuit once.  This process solves chunks from the end of the family while the workers
    start and take chunks from the front (``_collect``)."""

    def __init__(self, recipe: Recipe, key: str, jobs: int, net, progress: bool):
        self.here = _InProcess(net, progress)
        self.workers = jobs - 1
        self.key = key
        self.pool = ProcessPoolExecutor(self.workers, mp_context=_context(),
                                        initializer=_pool_init, initargs=(recipe, key))

    def submit(self, combos: range) -> Future:
        return self.pool.submit(_pool_chunk, self.key, combos)

    def wait(self, futures, block: bool):
        return wait(futures, timeout=None if block else 0, return_when=FIRST_COMPLETED)[0]

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class _Dask:
    """A dask.distributed Client: the recipe is scattered to every worker once."""

    def __init__(self, client, recipe: Recipe, key: str):
        self.client, self.key = client, key
        self.workers = max(1, sum(client.nthreads().values()))
        self.recipe = client.scatter(recipe, broadcast=True, hash=False)

    def submit(self, combos: range):
        return self.client.submit(_solve_chunk, self.recipe, self.key, combos, pure=False)

    def wait(self, futures, block: bool):
        from dask.distributed import wait as dask_wait
        return dask_wait(futures, return_when="FIRST_COMPLETED").done

    def close(self) -> None:
        pass


@contextlib.contextmanager
def dask_client(address: Optional[str]):
    """A dask.distributed Client for ``--dask ADDRESS`` (None: no client; ``local``: a
    LocalCluster of this machine's cores, loopback only), closed on exit.  A ThermnetError
    if dask.distributed is missing or the scheduler cannot be reached."""
    if address is None:
        yield None
        return
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise ThermnetError("error: --dask needs dask.distributed; install it with "
                            "pip install 'thermnet[cluster]'") from None
    if address == "local":
        with LocalCluster(processes=True, host="127.0.0.1", dashboard_address="127.0.0.1:0",
                          threads_per_worker=1) as cluster, Client(cluster) as client:
            yield client
        return
    try:
        client = Client(address, timeout=30)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ThermnetError(f"error: cannot reach the Dask scheduler at '{address}': "
                            f"{exc}\n  start one ('dask scheduler', then 'dask worker "
                            "ADDRESS'; docs/scaling.md) or use --dask local") from None
    with client:
        yield client


def default_jobs() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:                  # not on Linux
        return os.cpu_count() or 1


# ---- the family ------------------------------------------------------------------------------
def run(net, jobs: Optional[int] = 1, client=None, checkpoint: Optional[str] = None,
        progress: bool = False, size: Optional[int] = None, keep: bool = True):
    """The results of every analysis of ``net`` at every .step combination, in order.

    ``jobs``: processes on this machine (None: all cores; 1: this process); ``client``: a
    dask.distributed Client (overrides ``jobs``); ``checkpoint``: a directory keeping each
    finished chunk (resumed when it holds chunks of the same run); ``size``: combinations
    per chunk (default :func:`chunk_size`; a checkpoint keeps its own); ``keep=False`` (with
    a checkpoint): hold no results in memory and return the ``Checkpoint`` (read them chunk
    by chunk with its ``results()``: a family of any size in bounded memory).  Each failed
    sweep point is recorded in its AnalysisResult as in a serial run; a ThermnetError of a
    combination (e.g. an ``.op`` that does not converge) is raised as the serial run would
    raise it, after the chunks before it have finished.  Logs how many chunks were
    computed and how many read back."""
    from thermnet.results.types import Results
    if not keep and checkpoint is None:
        raise ValueError("keep=False needs a checkpoint directory")
    net._check_not_swept()
    n = family_size(net._flat.steps)
    store = None
    if checkpoint is not None:
        from thermnet.results.checkpoint import Checkpoint
        store = Checkpoint.open(checkpoint, Recipe.of(net).key, n, size or chunk_size(n),
                                net.title)
        size = store.chunk
    parts = chunks(n, size or chunk_size(n))
    done = set(store.finished()) if store is not None else set()
    todo = [j for j in range(len(parts)) if j not in done]
    log.info("family of %d .step combinations in %d chunks: %d to compute, %d read from the "
             "checkpoint", n, len(parts), len(todo), len(done))
    jobs = default_jobs() if jobs is None else jobs
    executor: Any
    # the recipe and its key (a hash of every card) only for other processes: a run in
    # this process needs neither (a set()/run() loop spent 10 % of its time hashing)
    if client is not None and len(todo) > 0:
        recipe = Recipe.of(net)
        executor = _Dask(client, recipe, recipe.key)
    elif jobs > 1 and len(todo) > 1:
        recipe = Recipe.of(net)
        executor = _Pool(recipe, recipe.key, min(jobs, len(todo)), net, False)
    else:
        executor = _InProcess(net, progress and n == 1)      # one sweep: its own bar
    results: Dict[int, list] = {}
    # one bar over the family (combinations; a single combination: the analysis's own bar
    # over its points), unless .options progress=0
    show = progress and n > 1 and net.options.get(
        "progress", net.circuit().flat.options.get("progress", 1))
    bar = Progress(n if show else None, "family")
    bar.advance(sum(len(parts[j]) for j in done))
    try:
        failed = _collect(executor, parts, todo, results, store, keep, bar)
    finally:
        executor.close()
        bar.close()
    if failed is not None:
        raise failed
    if not keep:
        return store
    out: List[Any] = []
    for j in range(len(parts)):
        out += results[j] if j in results else store.read(j)          # type: ignore[union-attr]
    return Results(net.title, out)


def _collect(executor, parts: Sequence[range], todo: Sequence[int], results: Dict[int, list],
             store, keep: bool, bar) -> Optional[ThermnetError]:
    """Run every chunk of ``todo`` and take each as it finishes (written to ``store`` at
    once, kept in ``results`` if ``keep``).  Returns the error of the first failed chunk in
    family order, if any: the chunks after it are cancelled, those before it finish."""
    first_error: Optional[Tuple[int, ThermnetError]] = None
    computed = 0

    def take(j: int, got) -> None:
        nonlocal first_error, computed
        if isinstance(got, ThermnetError):
            if first_error is None or j < first_error[0]:
                first_error = (j, got)
            return
        if store is not None:
            store.write(j, parts[j].start, got)
        if keep:
            results[j] = got
        computed += 1
        bar.advance(len(parts[j]))

    queue = deque(todo)
    if isinstance(executor, _InProcess):          # in order, one at a time
        while queue and first_error is None:
            j = queue.popleft()
            take(j, executor.solve(parts[j]))
        return _done(computed, first_error)
    # workers take chunks from the front, a few in flight each; a local pool's own process
    # solves chunks from the back meanwhile; a Dask client's process only collects.  After
    # a failed chunk only the chunks before it still run (the serial run's first error).
    here = executor.here if isinstance(executor, _Pool) else None
    window = 2 * executor.workers
    pending: Dict[Any, int] = {}
    while queue or pending:
        if first_error is not None:
            queue = deque(k for k in queue if k < first_error[0])
            for fut, k in list(pending.items()):
                if k > first_error[0]:
                    fut.cancel()
                    del pending[fut]
            if not (queue or pending):
                break
        while queue and len(pending) < window:
            j = queue.popleft()
            pending[executor.submit(parts[j])] = j
        if here is not None and queue:
            j = queue.pop()
            take(j, here.solve(parts[j]))
            finished = executor.wait(list(pending), block=False)
        else:
            finished = executor.wait(list(pending), block=True)
        for fut in finished:
            j = pending.pop(fut)
            take(j, _result(fut, parts[j]))
    return _done(computed, first_error)


def _result(fut, part: range):
    """A worker's result; a worker killed under it (out of memory, a signal) is an error."""
    try:
        return fut.result()
    except BrokenProcessPool as exc:
        return ThermnetError(f"error: a worker process died while solving .step combinations "
                             f"{part.start}..{part.stop - 1} ({exc}); with --checkpoint the "
                             "chunks finished before are kept")


def _done(computed: int, first_error) -> Optional[ThermnetError]:
    log.info("%d chunks computed", computed)
    return None if first_error is None else first_error[1]
