"""``.include <FILE>`` and ``.lib NAME``: a device library from the library path only
($THERMNET_PATH, then the shipped library; never beside the netlist, as C's ``#include <...>``),
with located errors when it is not there (docs/language.md)."""
from __future__ import annotations

import os

import pytest

import thermnet
from thermnet import NetlistError, library
from thermnet.cli import main

# One conductance g from S to the bath: T(S) = Tb + P / g exactly (Tb = 0.1 K, P = 1 pW).
LIB = ".subckt hot A B\nG1 A B {g}\n.ends\n"
BODY = "TB b 100mK\nP1 S 1p\nX1 S b hot\n.print T(S)\n"


def _t_s(g: float) -> float:
    return 0.1 + 1e-12 / g


@pytest.fixture
def folders(tmp_path, monkeypatch):
    """here/ (the netlist's folder, with its own dev.lib), u1/ and u2/ on THERMNET_PATH."""
    made = {d: tmp_path / d for d in ("here", "u1", "u2")}
    for d in made.values():
        d.mkdir()
    (made["here"] / "dev.lib").write_text(LIB.replace("{g}", "5n"))
    (made["u2"] / "dev.lib").write_text(LIB.replace("{g}", "4n"))
    monkeypatch.setenv("THERMNET_PATH", os.pathsep.join([str(made["u1"]), str(made["u2"])]))
    return made


def _net(folder, card: str):
    path = folder / "main.net"
    path.write_text(f".param g=1n\n{card}\n{BODY}")
    return path


def _run(path) -> float:
    return float(thermnet.load(str(path)).run()[0].columns["T(S)"])


@pytest.mark.parametrize("card", [".include <dev.lib>", ".lib dev", ".lib dev.lib",
                                  '.lib "dev.lib"'])
def test_library_path_only_and_in_order(folders, card):
    net = _net(folders["here"], card)
    # never the dev.lib beside the netlist (5n): the first folder of THERMNET_PATH having it
    assert _run(net) == pytest.approx(_t_s(4e-9), rel=1e-9)
    (folders["u1"] / "dev.lib").write_text(LIB.replace("{g}", "2n"))
    assert _run(net) == pytest.approx(_t_s(2e-9), rel=1e-9)
    # the quoted form still finds the file beside the netlist first
    assert _run(_net(folders["here"], '.include "dev.lib"')) == \
        pytest.approx(_t_s(5e-9), rel=1e-9)


@pytest.mark.parametrize("card", [".include <dey2023_devices.lib>", ".lib dey2023_devices",
                                  ".LIB dey2023_devices.lib"])
def test_shipped_library(tmp_path, monkeypatch, card):
    monkeypatch.delenv("THERMNET_PATH", raising=False)
    net = tmp_path / "dev.net"
    net.write_text(f"{card}\nTB bath 30mK\nP1 S 2pW\nXS S bath a c dey_source\n"
                   "XD D bath c a dey_drain\n.print T(S)\n")
    cards = thermnet.load(str(net)).cards
    shipped = os.path.join(library.library_dir(), "dey2023_devices.lib")
    assert sum(c.span.file == shipped for c in cards) > 5
    assert "dey2023_devices" in library.libraries()


def _error(path) -> NetlistError:
    with pytest.raises(NetlistError) as info:
        thermnet.load(str(path))
    return info.value


def test_missing_library_names_every_folder(folders):
    err = _error(_net(folders["here"], ".lib nothere"))
    assert (err.span.file, err.span.line, err.span.column) == (str(folders["here"] / "main.net"),
                                                                2, 6)
    assert err.message.startswith("no library nothere on the search path: looked in ")
    for d in (folders["u1"], folders["u2"], library.library_dir()):
        assert str(d) in err.message
    assert "dey2023_devices" in err.expected          # the shipped ones are listed


def test_missing_library_points_at_the_file_beside(folders, monkeypatch):
    monkeypatch.delenv("THERMNET_PATH")
    (folders["here"] / "mine.lib").write_text(LIB)
    err = _error(_net(folders["here"], ".include <mine.lib>"))
    assert (err.span.line, err.span.column) == (2, 10)
    assert "$THERMNET_PATH is not set" in err.message
    assert '.include "mine.lib"' in err.expected and "beside the netlist" in err.expected


@pytest.mark.parametrize("card, column, words", [
    (".lib dev TT", 10, "library sections"),
    (".lib", 1, ".lib needs the name"),
    (".include </etc/hostname>", 10, "absolute path"),
    (".lib {1+1}", 6, "expected a library name"),
])
def test_malformed_library_cards(folders, card, column, words):
    err = _error(_net(folders["here"], card))
    assert (err.span.line, err.span.column) == (2, column) and words in err.message


def test_cli_reports_a_missing_library(folders, capsys):
    net = _net(folders["here"], ".include <nothere.lib>")
    assert main(["run", str(net)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{net}:2:10: error: no library nothere.lib on the search path")
    assert "Traceback" not in err


def test_sandbox_reads_the_shipped_library(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("THERMNET_PATH", raising=False)
    net = tmp_path / "dev.net"
    net.write_text(".lib dey2023_devices\nTB bath 30mK\nP1 S 2pW\nXS S bath a c dey_source\n"
                   "XD D bath c a dey_drain\n.print T(S)\n")
    assert main(["check", "--sandbox", str(net)]) == 0, capsys.readouterr().err
