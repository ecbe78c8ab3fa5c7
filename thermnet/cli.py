"""Command line: ``thermnet run | check | elements | plot``."""
from __future__ import annotations

import argparse
import logging
import os
import sys
import warnings
from typing import Any, List, Optional

from thermnet.errors import ThermnetError, ThermnetWarning

EXIT_OK, EXIT_ERROR, EXIT_FAILED_POINTS, EXIT_BUG = 0, 1, 2, 3
EXIT_BROKEN_PIPE = 141          # 128 + SIGPIPE: the reader of stdout went away


def _netlist(args):
    """The Netlist of ``args.file`` (a file, ``-`` for standard input, or the name of a
    shipped example), with every ``--set NAME=VALUE`` applied."""
    from thermnet.api import Netlist
    from thermnet.library import resolve_netlist
    from thermnet.netlist.parser import parse_file
    args.file = resolve_netlist(args.file)
    name = "<stdin>" if args.file == "-" else args.file
    net = Netlist(parse_file(args.file, sandbox=args.sandbox), name)
    for assignment in getattr(args, "set", None) or ():
        key, _, value = assignment.partition("=")
        net = net.hold(key.strip(), value.strip())
    return net


def _run(args) -> int:
    from thermnet.results.io import FORMATS, check_target, format_for, to_table, write_atomic
    fmt = args.format or format_for(args.output)
    if fmt == "netcdf" and not args.output:
        raise _write_error("<stdout>", OSError("netCDF is binary; give -o FILE.nc"))
    if args.output:
        check_target(args.output, protect=(args.file,))    # before any work
    from thermnet.solve import family
    if args.dask is None:
        family.start_workers(args.jobs, args.file)    # while this process imports, parses
    net = _netlist(args)
    progress = (not args.quiet) and sys.stderr.isatty()
    from thermnet.results.stream import PIECES, Watch
    report: Any
    text: Any
    with family.dask_client(args.dask) as client:
        if args.checkpoint is None:
            res = net.run(progress=progress, jobs=args.jobs, client=client)
            report = res
            text = to_table(res, si=args.si) if fmt == "table" else FORMATS[fmt](res)
        else:        # written from the checkpoint, one chunk in memory at a time
            if fmt not in PIECES:
                raise _write_error(args.output or "<stdout>", OSError(
                    f"a checkpointed run is written chunk by chunk as table, CSV or JSON, "
                    f"not {fmt}"))
            store = family.run(net, args.jobs, client, args.checkpoint, progress, keep=False)
            report = watch = Watch(store.results())
            text = PIECES[fmt](net.title, watch, si=args.si)
    if args.output:
        try:
            write_atomic(args.output, text)
        except OSError as exc:
            raise _write_error(args.output, exc) from None
    else:
        _write_stdout(text)
    return _report_failures(args.file, report)


def _write_error(path: str, exc: OSError):
    from thermnet.results.io import OutputError
    return OutputError(path, exc.strerror or str(exc))


def _write_stdout(text) -> None:
    """Print the results (text, or its pieces); a full disk is an OutputError (a closed
    pipe is left to main)."""
    try:
        for piece in [text] if isinstance(text, str) else text:
            sys.stdout.write(piece)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise _write_error("<stdout>", exc) from None


def _report_failures(file: str, res, note: str = "") -> int:
    """Warn about failed sweep points, folds and jumps, and failed .measure cards on
    stderr; the exit status (a failed measurement is a warning, as in SPICE: its value is
    null, its reason in the output; the status counts failed points only).  ``res``:
    Results, or a results.stream.Watch (ok, failures, warnings, measure failures) of the
    results written."""
    from thermnet.results.stream import measure_failures
    watched = hasattr(res, "chunks")
    for w in res.warnings if watched else [w for r in res.results for w in r.warnings]:
        print(f"{file}: warning: {w}", file=sys.stderr)
    seen = res.measure_failures if watched else measure_failures(res.results)
    for analysis, steps, k, why in seen:
        step = "".join(f" {n}={v:g}" for n, v in steps.items())
        print(f"{file}: warning: .measure {k} of the {analysis}{step} failed: {why}",
              file=sys.stderr)
    if res.ok:
        return EXIT_OK
    failures = res.failures if hasattr(res, "failures") else \
        [f for r in res.results for f in r.failures]
    for f in failures:
        print(f"{file}: warning: sweep {f}{note}", file=sys.stderr)
    return EXIT_FAILED_POINTS


def _check(args) -> int:
    _write_stdout(_netlist(args).summary() + "\n")
    return EXIT_OK


def _examples(args) -> int:
    from thermnet import library
    if args.name is None:
        for name in library.examples():
            _write_stdout(f"{name}\n")
        return EXIT_OK
    return library.copy_example(args.name, args.output)


def _plot(args) -> int:
    from thermnet.library import resolve_netlist
    from thermnet.results import plot
    plot.figure_format(args.output)       # a bad extension or no matplotlib: say so before
    plot.require_matplotlib()             # solving anything
    progress = (not args.quiet) and sys.stderr.isatty()
    files = [resolve_netlist(f) for f in args.file]
    results = [plot.read_results(f, progress=progress) for f in files]
    names = [os.path.splitext(os.path.basename(f))[0] for f in files]
    plot.plot_results(results, args.output, source=files[0], dpi=args.dpi, logy=args.logy,
                      loglog=args.loglog, size=args.size, names=names)
    codes = [_report_failures(f, r, " (a gap in the plot)") for f, r in zip(files, results)]
    return max(codes)


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


def _assignment(text: str) -> str:
    name, eq, value = text.partition("=")
    if not eq or not name.strip() or not value.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE (e.g. P1=2pW), got '{text}'")
    return text


def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1, got '{text}'")
    return n


FILE_HELP = ("a netlist file, '-' for standard input, or the name of a shipped example "
             "('thermnet examples' lists them)")
SET_HELP = ("set a .param, temperature source or heater to VALUE (e.g. P1=2pW; repeatable); "
            "a .sweep or .step of NAME is dropped, holding it at VALUE")
SANDBOX_HELP = ("for services: .include only files in the netlist's folder (or below) and "
                "the shipped device library netlists/lib")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="thermnet", description="Thermal circuit simulator for "
                                "cryogenic devices: photonic heat, superconductors, "
                                "electron-phonon coupling.")
    from thermnet import __version__
    p.add_argument("--version", action="version", version=f"thermnet {__version__}")
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    p.add_argument("-v", "--verbose", action="count", default=0,
                   help="log what the solver does on stderr: -v table builds and failed "
                        "solver attempts, -vv also every steady state and re-binding")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="solve a netlist and print its .print quantities")
    r.add_argument("file", help=FILE_HELP)
    r.add_argument("--format", choices=("table", "json", "csv", "netcdf"),
                   help="output format (default: from the -o file's extension, .json, "
                   ".csv or .nc (netCDF, needs thermnet[data]), else table)")
    r.add_argument("--set", action="append", type=_assignment, metavar="NAME=VALUE",
                   help=SET_HELP)
    r.add_argument("--si", action="store_true",
                   help="table: plain SI numbers (default: engineering notation with units, "
                   "125.63 mK)")
    r.add_argument("-o", "--output", help="write to this file (whole or not at all)")
    r.add_argument("--sandbox", action="store_true", help=SANDBOX_HELP)
    r.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    r.add_argument("--jobs", type=_positive_int, default=None,
                   help="processes for a .step family (default: all cores; 1: this "
                   "process); results are the same whatever the number (docs/scaling.md)")
    r.add_argument("--dask", metavar="ADDRESS",
                   help="run a .step family on the Dask cluster whose scheduler is at "
                   "ADDRESS (tcp://host:8786), or 'local' for a local Dask cluster")
    r.add_argument("--checkpoint", metavar="DIR",
                   help="keep each finished chunk of a .step family in DIR; a rerun "
                   "computes only what is missing")
    r.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                   help="show tracebacks")
    r.set_defaults(func=_run)
    c = sub.add_parser("check", help="parse and elaborate; summarise without solving")
    c.add_argument("file", help=FILE_HELP)
    c.add_argument("--set", action="append", type=_assignment, metavar="NAME=VALUE",
                   help=SET_HELP)
    c.add_argument("--sandbox", action="store_true", help=SANDBOX_HELP)
    c.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                   help="show tracebacks")
    c.set_defaults(func=_check)
    g = sub.add_parser("plot", help="draw the .print quantities against the swept variable")
    g.add_argument("file", nargs="+", help="a netlist (solved now), a shipped example's "
                   "name, or results saved by 'thermnet run FILE -o FILE.json'; several are "
                   "drawn over one another (one line style each)")
    g.add_argument("--logy", action="store_true", help="logarithmic y axes")
    g.add_argument("--loglog", action="store_true", help="logarithmic x and y axes")
    g.add_argument("--size", choices=("single", "double"),
                   help="a journal column: single (3.4 in wide) or double (7 in), with "
                   "fonts to match (default: 6.4 in per column of panels)")
    g.add_argument("-o", "--output", required=True,
                   help="figure file; .png, .pdf or .svg chooses the format")
    g.add_argument("--dpi", type=_positive_int, default=150,
                   help="resolution of a PNG (default 150)")
    g.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    g.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                   help="show tracebacks")
    g.set_defaults(func=_plot)
    x = sub.add_parser("examples", help="list the shipped example netlists, or copy one")
    x.add_argument("name", nargs="?", help="the example to copy (see the list)")
    x.add_argument("-o", "--output", default=".",
                   help="folder (or file name) to copy it to (default: the current folder)")
    x.set_defaults(func=_examples)
    e = sub.add_parser("elements", help="list element kinds and models with parameters")
    e.set_defaults(func=_elements)
    return p


def main(argv: Optional[List[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.verbose:
        logging.basicConfig(level=logging.INFO if args.verbose == 1 else logging.DEBUG,
                            format="thermnet: %(name)s: %(message)s")
    try:
        with warnings.catch_warnings():
            # failed points, folds, jumps and failed .measure cards are reported on stderr
            # and failed points in the exit status (_report_failures)
            warnings.simplefilter("ignore", ThermnetWarning)
            return args.func(args)
    except ThermnetError as exc:
        if args.debug:
            raise
        print(str(exc), file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:            # the reader of stdout went away (| head): stop quietly
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except Exception as exc:  # a bug: say so briefly, full traceback with --debug
        if args.debug:
            raise
        print(f"thermnet: internal error: {type(exc).__name__}: {exc}\n"
              "  (this is a bug in thermnet; rerun with --debug for the traceback)",
              file=sys.stderr)
        return EXIT_BUG


def _silence_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so the interpreter's final flush does
    not complain."""
    try:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
        os.close(fd)
    except (OSError, ValueError, AttributeError):
        pass


if __name__ == "__main__":
    sys.exit(main())
