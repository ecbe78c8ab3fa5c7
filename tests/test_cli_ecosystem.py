"""The command line for users beyond a checkout (docs/cli.md): shipped examples by name,
the library search path of ``.include``, ``-`` for standard input, ``--set``, tables in
engineering notation with units, ``--version``, one progress bar per run."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

import thermnet
from thermnet import NetlistError, library
from thermnet.cli import main
from thermnet.solve import analysis, family
from thermnet.units import engineering

ROOT = Path(__file__).resolve().parents[1]

# A linear network with a closed form: T(S) = Tb + P / (g + 0.5 g) with the three conductances
# g (S-bath, S-D, D-bath): T(S) = Tb + P / (1.5 g).
NET = """.title linear
.param gg=1n
TB bath 100mK
P1 S 1pW
G1 S bath {gg}
G2 S D {gg}
G3 D bath {gg}
.sweep P1 list 1p 2p 3p
.print T(S) P(G2)
"""


def ts(P=1e-12, g=1e-9, Tb=0.1):
    return Tb + P / (1.5 * g)


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def netfile(tmp_path):
    path = tmp_path / "lin.net"
    path.write_text(NET)
    return path


# ---- tables ------------------------------------------------------------------------------
@pytest.mark.parametrize("value, dim, text", [
    (0.1256274258, "temperature", "125.63 mK"), (3.94e-15, "power", "3.94 fW"),
    (-2.5e-13, "power", "-250 fW"), (0.9999996, "temperature", "1 K"),
    (1.2e9, "temperature/power", "1.2 GK/W"), (2e-12, "thermal_conductance", "2 pW/K"),
    (0.25, "dimensionless", "0.25"), (0.0, "power", "0 W"), (float("nan"), "power", "nan"),
    (1.5e-30, "power", "1.5e-30 W"), (7e3, "resistance", "7 kΩ"), (3.0, None, "3")])
def test_engineering_notation(value, dim, text):
    assert engineering(value, dim) == text


def test_table_in_engineering_notation_and_si(netfile, capsys):
    code, out, err = run_cli(capsys, "run", str(netfile))
    assert code == 0, err
    rows = out.splitlines()
    first = rows[rows.index("sweep over P1") + 2]
    assert first.split() == ["1", "pW", f"{ts() * 1e3:.5g}", "mK",
                             f"{1e-9 * (ts() - (ts() + 0.1) / 2) * 1e15:.5g}", "fW"]
    code, out, err = run_cli(capsys, "run", str(netfile), "--si")
    rows = out.splitlines()
    values = [float(x) for x in rows[rows.index("sweep over P1") + 2].split()]
    assert values[:2] == pytest.approx([1e-12, ts()], rel=1e-9)


# ---- formats from the extension -----------------------------------------------------------
@pytest.mark.parametrize("name, start", [("o.csv", "analysis,"), ("o.json", "{"),
                                         ("o.txt", "linear"), ("o.table", "linear")])
def test_format_from_extension(netfile, tmp_path, capsys, name, start):
    code, _, err = run_cli(capsys, "run", str(netfile), "-o", str(tmp_path / name))
    assert code == 0, err
    assert (tmp_path / name).read_text().startswith(start)


# ---- standard input, --set ----------------------------------------------------------------
def test_netlist_from_stdin(netfile, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(NET.encode())))
    code, out, err = run_cli(capsys, "run", "-", "--si")
    assert code == 0, err
    assert out == run_cli(capsys, "run", str(netfile), "--si")[1]


def test_stdin_error_is_located(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"TB bath 30m\nG1 S\n")))
    code, _, err = run_cli(capsys, "run", "-")
    assert code == 1
    assert err.startswith("<stdin>:2:")


def test_set_param_and_held_source(netfile, capsys):
    # --set of the swept heater holds it (the .sweep is dropped: one .op); gg moves g
    code, out, err = run_cli(capsys, "run", str(netfile), "--si", "--set", "P1=4pW",
                             "--set", "gg=2n")
    assert code == 0, err
    lines = out.splitlines()
    assert "op" in lines and "sweep over P1" not in lines
    value = float(lines[lines.index("op") + 2].split()[0])
    assert value == pytest.approx(ts(P=4e-12, g=2e-9), rel=1e-9)


def test_set_without_value_is_a_usage_error(netfile, capsys):
    with pytest.raises(SystemExit) as info:
        main(["run", str(netfile), "--set", "P1"])
    assert info.value.code == 2
    assert "expected NAME=VALUE (e.g. P1=2pW), got 'P1'" in capsys.readouterr().err


@pytest.mark.parametrize("arg, message", [("nosuch=1", "nosuch"), ("P1=2mK", "unit of")])
def test_set_errors(netfile, capsys, arg, message):
    code, _, err = run_cli(capsys, "run", str(netfile), "--set", arg)
    assert code == 1
    assert message in err and "Traceback" not in err


def test_hold_in_python(netfile):
    net = thermnet.load(str(netfile))
    res = net.hold("P1", "2pW").run()
    assert res[0].analysis == "op"
    assert res[0].columns["T(S)"] == pytest.approx(ts(P=2e-12), rel=1e-9)
    with pytest.raises(NetlistError, match="sweep"):
        net.set("P1", 2e-12).run()


# ---- examples, --version, python -m ---------------------------------------------------------
def test_examples_list_and_copy(tmp_path, capsys):
    code, out, _ = run_cli(capsys, "examples")
    assert code == 0
    names = out.split()
    assert names == sorted(p.stem for p in (ROOT / "netlists").glob("*.net"))
    code, out, err = run_cli(capsys, "examples", "two_islands_rlc", "-o", str(tmp_path))
    assert code == 0, err
    copy = tmp_path / "two_islands_rlc.net"
    assert out.strip() == str(copy)
    assert copy.read_bytes() == (ROOT / "netlists" / "two_islands_rlc.net").read_bytes()
    code, _, err = run_cli(capsys, "examples", "two_island_rlc")
    assert code == 1 and "did you mean 'two_islands_rlc'" in err


def test_run_by_name_only_without_such_file(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert library.resolve_netlist("dey2023_fig3") == \
        os.path.join(library.shipped_dir(), "dey2023_fig3.net")
    (tmp_path / "dey2023_fig3").write_text("TB b 1\nP1 S 1p\nG1 S b 1n\n.print T(S)\n")
    assert library.resolve_netlist("dey2023_fig3") == "dey2023_fig3"      # the file wins
    code, out, err = run_cli(capsys, "check", "pioldi2025_contract")
    assert code == 0, err


def test_version_and_python_m():
    out = subprocess.run([sys.executable, "-m", "thermnet", "--version"], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"thermnet {thermnet.__version__}"


# ---- the library search path --------------------------------------------------------------
LIB = ".subckt hot A B\nG1 A B {g}\n.ends\n"


def _main_net(folder, include):
    path = folder / "main.net"
    path.write_text(f'.param g=1n\n.include "{include}"\nTB b 100mK\nP1 S 1p\nX1 S b hot\n'
                    ".print T(S)\n")
    return path


def test_include_search_order(tmp_path, monkeypatch):
    here, user1, user2 = (tmp_path / d for d in ("here", "u1", "u2"))
    for d in (here, user1, user2):
        d.mkdir()
    (user1 / "dev.lib").write_text(LIB.replace("{g}", "2n"))
    (user2 / "dev.lib").write_text(LIB.replace("{g}", "4n"))
    main_file = _main_net(here, "dev.lib")
    monkeypatch.setenv("THERMNET_PATH", os.pathsep.join([str(user1), str(user2)]))

    def t_s():
        return thermnet.load(str(main_file)).run()[0].columns["T(S)"]
    assert t_s() == pytest.approx(0.1 + 1e-12 / 2e-9, rel=1e-9)      # THERMNET_PATH, first
    (here / "dev.lib").write_text(LIB.replace("{g}", "5n"))
    assert t_s() == pytest.approx(0.1 + 1e-12 / 5e-9, rel=1e-9)      # beside the file wins
    monkeypatch.delenv("THERMNET_PATH")
    (here / "dev.lib").unlink()
    with pytest.raises(NetlistError) as info:
        t_s()
    assert "cannot read include file 'dev.lib'" in str(info.value)
    assert str(here / "dev.lib") in str(info.value)        # names the places looked at


@pytest.mark.parametrize("include", ["dey2023_devices.lib", "lib/dey2023_devices.lib"])
def test_shipped_library_from_anywhere(tmp_path, include):
    net = tmp_path / "dev.net"
    net.write_text(f'.include "{include}"\nTB bath 30mK\nP1 S 2pW\n'
                   "XS S bath a c dey_source\nXD D bath c a dey_drain\n.print T(S)\n")
    cards = thermnet.load(str(net)).cards
    assert any(c.span.file == os.path.join(library.library_dir(), "dey2023_devices.lib")
               for c in cards)


# ---- progress: one bar over the run, .options progress=0 ------------------------------------
class Recorder:
    made: list = []

    def __init__(self, total, description="thermnet"):
        self.total, self.done = total, 0
        if total is not None:
            Recorder.made.append(self)

    def expect(self, more):
        if self.total is not None:
            self.total += more

    def advance(self, n=1):
        self.done += n

    def close(self):
        pass


@pytest.mark.parametrize("option, bars", [("", 1), (".options progress=0\n", 0)])
def test_one_progress_bar_per_run(monkeypatch, option, bars):
    """One bar over a run's points; for a .step family one bar over its combinations
    (solve/family.py: the combinations may run in other processes)."""
    monkeypatch.setattr(analysis, "Progress", Recorder)
    monkeypatch.setattr(family, "Progress", Recorder)
    Recorder.made = []
    thermnet.parse(NET + ".op\n" + option).run(progress=True)
    assert len(Recorder.made) == bars
    if bars:
        assert Recorder.made[0].total == Recorder.made[0].done == 3 + 1
    Recorder.made = []
    thermnet.parse(NET + ".step gg list 1n 2n 3n\n.op\n" + option).run(progress=True)
    assert len(Recorder.made) == bars
    if bars:
        assert Recorder.made[0].total == Recorder.made[0].done == 3


def test_real_progress_bar_runs(capsys):
    res = thermnet.parse(NET).run(progress=True)
    assert res.ok and res[0].columns["T(S)"][0] == pytest.approx(ts(), rel=1e-9)


def test_output_through_a_symlink_keeps_the_link(netfile, tmp_path, capsys):
    target = tmp_path / "real.csv"
    target.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    code, _, err = run_cli(capsys, "run", str(netfile), "-o", str(link))
    assert code == 0, err
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text().startswith("analysis,")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".thermnet-")]


def test_examples_copy_to_a_missing_folder_is_an_error(tmp_path, capsys):
    # a folder that does not exist: an error before anything is written
    code, _, err = run_cli(capsys, "examples", "two_islands_rlc", "-o",
                           str(tmp_path / "nope" / "x.net"))
    assert code == 1 and "does not exist" in err
