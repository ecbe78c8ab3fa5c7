"""Command line: ``thermnet run | check | elements | plot``."""
from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from thermnet.errors import ThermnetError

EXIT_OK, EXIT_ERROR, EXIT_FAILED_POINTS = 0, 1, 2


def _run(args) -> int:
    from thermnet.api import load
    from thermnet.results.io import FORMATS, write_atomic
    net = load(args.file)
    progress = (not args.quiet) and sys.stderr.isatty()
    res = net.run(progress=progress)
    text = FORMATS[args.format](res)
    if args.output:
        write_atomic(args.output, text)
    else:
        sys.stdout.write(text)
    return _report_failures(args.file, res)


def _report_failures(file: str, res, note: str = "") -> int:
    """Warn about failed sweep points on stderr; the exit status."""
    if res.ok:
        return EXIT_OK
    for r in res.results:
        for f in r.failures:
            print(f"{file}: warning: sweep {f}{note}", file=sys.stderr)
    return EXIT_FAILED_POINTS


def _check(args) -> int:
    from thermnet.api import load
    print(load(args.file).summary())
    return EXIT_OK


def _plot(args) -> int:
    from thermnet.results import plot
    plot.figure_format(args.output)       # a bad extension or no matplotlib: say so before
    plot.require_matplotlib()             # solving anything
    progress = (not args.quiet) and sys.stderr.isatty()
    res = plot.read_results(args.file, progress=progress)
    plot.plot_results(res, args.output, source=args.file, dpi=args.dpi)
    return _report_failures(args.file, res, " (a gap in the plot)")


def _elements(args) -> int:
    from thermnet.elements import ELEMENT_KINDS, MODEL_TYPES
    print("Elements (the first letter of the name gives the kind):")
    for letter, kind in ELEMENT_KINDS.items():
        state = "" if kind.supported else "   [not supported yet]"
        print(f"  {letter}  {kind.title}{state}\n     {kind.form}")
        for spec in ((kind.value_spec,) if kind.value_spec else ()) + kind.keywords:
            print(f"       {spec.describe()}")
        for key, (nkind, req) in kind.node_keywords.items():
            print(f"       {key}: {nkind} node, {'required' if req else 'optional'}")
        if kind.model_types:
            print(f"       model types: {', '.join(kind.model_types)}")
    print("  X  subcircuit instance\n     XNAME NODE... SUBCKT [KEY=VALUE ...]")
    print("\nModel types (.model NAME TYPE(KEY=VALUE ...)):")
    for name, m in MODEL_TYPES.items():
        state = "" if m.supported else "   [not supported yet]"
        print(f"  {name}: {m.doc}{state}")
        for spec in m.params:
            print(f"       {spec.describe()}")
    return EXIT_OK


def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1, got '{text}'")
    return n


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="thermnet", description="Thermal circuit simulator for "
                                "cryogenic devices: photonic heat, superconductors, "
                                "electron-phonon coupling.")
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="solve a netlist and print its .print quantities")
    r.add_argument("file")
    r.add_argument("--format", choices=("table", "json", "csv"), default="table")
    r.add_argument("-o", "--output", help="write to this file (whole or not at all)")
    r.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    r.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                   help="show tracebacks")
    r.set_defaults(func=_run)
    c = sub.add_parser("check", help="parse and elaborate; summarise without solving")
    c.add_argument("file")
    c.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                   help="show tracebacks")
    c.set_defaults(func=_check)
    g = sub.add_parser("plot", help="draw the .print quantities against the swept variable")
    g.add_argument("file", help="a netlist (solved now) or results saved by "
                   "'thermnet run FILE --format json -o FILE.json'")
    g.add_argument("-o", "--output", required=True,
                   help="figure file; .png, .pdf or .svg chooses the format")
    g.add_argument("--dpi", type=_positive_int, default=150,
                   help="resolution of a PNG (default 150)")
    g.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    g.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                   help="show tracebacks")
    g.set_defaults(func=_plot)
    e = sub.add_parser("elements", help="list element kinds and models with parameters")
    e.set_defaults(func=_elements)
    return p


def main(argv: Optional[List[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ThermnetError as exc:
        if args.debug:
            raise
        print(str(exc), file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: say so briefly, full traceback with --debug
        if args.debug:
            raise
        print(f"thermnet: internal error: {type(exc).__name__}: {exc}\n"
              "  (this is a bug in thermnet; rerun with --debug for the traceback)",
              file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
