"""Families at scale (docs/scaling.md): a .step family on local processes and on a Dask
cluster equals the serial run bit for bit, in order; a checkpointed run killed halfway
resumes without recomputing its finished chunks and ends with the uninterrupted run's
output; the table cache is built once when two processes ask for it at once."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import thermnet
from thermnet.errors import FailedPointsWarning, ThermnetError
from thermnet.results.checkpoint import from_table, to_table
from thermnet.results.io import to_csv, to_json
from thermnet.results.types import AnalysisResult
from thermnet.solve.family import chunk_size, combination, family_size

# Two islands S and D, electron-phonon coupled to the bath and photonically to each other
# through RS and RD: a .step x .step family of warm-started sweeps (each sweep's points
# depend on one another; the combinations do not).
FAMILY = """.title two islands, a family
.param rs=10
.model cu eph(sigma=3e9 n=5)
TB bath 30mK
P1 S 1pW
ES S bath cu vol=4e-20
ED D bath cu vol=4e-20
RS a b {rs} temp=S
RD b a 20ohm temp=D
.step rs list 5 10 20
.step TB list 20m 30m 40m 50m
.sweep P1 10f 5p 5 log
.print T(S) T(D) Q(S,D)
"""


def _same(a, b) -> None:
    """Equal bit for bit (NaN where NaN), same order, same failures and metadata."""
    assert len(a.results) == len(b.results)
    for x, y in zip(a.results, b.results):
        assert (x.analysis, x.step, x.failures, x.swept, x.sweep, x.dimensions) == \
            (y.analysis, y.step, y.failures, y.swept, y.sweep, y.dimensions)
        assert list(x.columns) == list(y.columns)
        for k in x.columns:
            assert np.asarray(x.columns[k]).tobytes() == np.asarray(y.columns[k]).tobytes(), k
        assert np.array_equal(x.converged, y.converged)
        assert np.asarray(x.energy_balance).tobytes() == np.asarray(y.energy_balance).tobytes()
    assert to_json(a) == to_json(b)


@pytest.fixture(scope="module")
def serial():
    return thermnet.parse(FAMILY, "family.net").run(jobs=1)


def test_combinations_in_product_order():
    import itertools
    net = thermnet.parse(FAMILY, "family.net")
    steps = net._flat.steps
    assert family_size(steps) == 12
    want = list(itertools.product([5.0, 10.0, 20.0], [0.02, 0.03, 0.04, 0.05]))
    assert [combination(steps, i) for i in range(12)] == want
    assert chunk_size(12) == 1 and chunk_size(64_000) == 1000 and chunk_size(10**6) == 1000


def test_serial_family_is_what_each_combination_gives_alone(serial):
    """The determinism rule: every combination starts cold, so combination k solved by a
    fresh netlist alone equals combination k of the whole run."""
    net = thermnet.parse(FAMILY, "family.net")
    alone = net.solve_combinations([7])
    assert alone[0].step == {"rs": 10.0, "TB": 0.05}
    from thermnet.results.types import Results
    _same(Results(serial.title, [serial[7]]), alone)
    assert serial[7].converged.all() and serial[7].columns["T(S)"][0] > 0.05


def test_jobs_2_equals_serial(serial):
    _same(serial, thermnet.parse(FAMILY, "family.net").run(jobs=2))


def test_dask_local_cluster_equals_serial(serial):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address="127.0.0.1:0") \
            as cluster, distributed.Client(cluster) as client:
        got = thermnet.parse(FAMILY, "family.net").run(client=client)
    _same(serial, got)


def test_error_in_a_worker_is_the_serial_error():
    """A combination whose value is refused raises the serial run's error, located."""
    bad = FAMILY.replace(".step rs list 5 10 20", ".step rs list 5 10 -20")
    with pytest.raises(ThermnetError) as one:
        thermnet.parse(bad, "family.net").run(jobs=1)
    with pytest.raises(ThermnetError) as two:
        thermnet.parse(bad, "family.net").run(jobs=2)
    assert str(one.value) == str(two.value)
    assert "family.net" in str(two.value) and "-20" in str(two.value)


def test_checkpoint_table_round_trip_keeps_failures_and_nans():
    results = [
        AnalysisResult("sweep", {"rs": 5.0}, {"P1": np.array([1e-14, 2e-14, 3e-14]),
                                              "T(S)": np.array([0.1, np.nan, 0.1 + 1e-17])},
                       np.array([True, False, True]), ["point 1 (P1=2e-14): no steady state"],
                       np.array([1e-16, np.nan, -2e-15]), swept="P1",
                       sweep={"name": "P1", "spacing": "log", "kind": "source",
                              "dimension": "power"},
                       dimensions={"P1": "power", "T(S)": "temperature", "rs": "dimensionless"}),
        AnalysisResult("op", {"rs": 5.0}, {"T(S)": 0.123456789012345678}, np.array([True]),
                       [], np.array([3e-17]), dimensions={"T(S)": "temperature"})]
    back = from_table(to_table(results, start=4, chunk=4, combos=10))
    from thermnet.results.types import Results
    _same(Results("", results), Results("", back))
    assert back[1].columns["T(S)"] == 0.123456789012345678


def test_checkpoint_of_another_run_is_refused(tmp_path, serial):
    folder = str(tmp_path / "ck")
    got = thermnet.parse(FAMILY, "family.net").run(checkpoint=folder)
    _same(serial, got)
    assert len(_chunks(folder)) == 12
    pd = pytest.importorskip("pandas")
    table = pd.read_parquet(folder)           # the directory is one Parquet dataset
    assert len(table) == 12 * 5 and list(table["combo"]) == [c for c in range(12)
                                                             for _ in range(5)]
    assert np.concatenate([r.columns["T(S)"] for r in serial]).tobytes() == \
        table["col:T(S)"].to_numpy().tobytes()
    other = thermnet.parse(FAMILY.replace("20ohm", "21ohm"), "family.net")
    with pytest.raises(ThermnetError, match="another run"):
        other.run(checkpoint=folder)


def _chunks(folder):
    return {f: os.stat(os.path.join(folder, f)).st_mtime_ns
            for f in os.listdir(folder) if f.endswith(".parquet")}


def test_killed_checkpointed_run_resumes_without_recomputing(tmp_path):
    """SIGKILL a checkpointed CLI run once a chunk is on disk; the rerun computes only the
    missing chunks (its log says so, the finished files are untouched) and writes what an
    uninterrupted run writes."""
    net = tmp_path / "family.net"
    # 40 combinations of .op: 40 chunks of one, each a fresh cold steady state
    net.write_text(FAMILY.replace(".step rs list 5 10 20", ".step rs 5 20 10")
                   .replace(".sweep P1 10f 5p 5 log", ""))
    folder = tmp_path / "ck"
    out = tmp_path / "out.csv"
    cmd = [sys.executable, "-m", "thermnet.cli", "-v", "run", str(net), "--jobs", "1",
           "--checkpoint", str(folder), "-o", str(out)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (folder.exists() and len(_chunks(folder)) >= 2):
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = _chunks(folder)
    assert 2 <= len(before) < 40, "the run was not killed halfway"
    assert not out.exists()                       # no partial output
    rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert rerun.returncode == 0, rerun.stderr
    m = re.search(r"in (\d+) chunks: (\d+) to compute, (\d+) read from the checkpoint",
                  rerun.stderr)
    assert m and int(m.group(1)) == 40 and int(m.group(3)) == len(before)
    assert int(m.group(2)) == 40 - len(before)
    after = _chunks(folder)
    assert len(after) == 40 and all(after[f] == t for f, t in before.items())
    whole = thermnet.load(str(net)).run(jobs=1)
    assert out.read_text() == to_csv(whole)


BUILD = textwrap.dedent("""
    import os, sys, time
    import numpy as np
    from thermnet.physics import tables
    def build():
        with open(sys.argv[1], "a") as fh:
            fh.write("built\\n")
        time.sleep(0.4)
        return {"x": np.arange(1000.0) ** 2}
    a = tables.cached_table("scaling_test", {"n": 1000}, build)
    assert np.array_equal(a["x"], np.arange(1000.0) ** 2)
""")


def test_table_cache_built_once_by_two_processes(tmp_path):
    env = dict(os.environ, THERMNET_CACHE_DIR=str(tmp_path / "cache"))
    log = tmp_path / "builds.txt"
    procs = [subprocess.Popen([sys.executable, "-c", BUILD, str(log)], env=env)
             for _ in range(2)]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    assert log.read_text() == "built\n"           # one build; the other process read it
    files = os.listdir(tmp_path / "cache")
    assert len(files) == 1 and files[0].endswith(".npz")
    from thermnet.physics.tables import read_table
    assert np.array_equal(read_table(tmp_path / "cache" / files[0])["x"],
                          np.arange(1000.0) ** 2)


def test_cli_jobs_and_dask_flags(tmp_path):
    from thermnet.cli import main
    net = tmp_path / "family.net"
    net.write_text(FAMILY)
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert main(["run", str(net), "--jobs", "1", "-o", str(a)]) == 0
    assert main(["run", str(net), "--jobs", "2", "-o", str(b)]) == 0
    assert a.read_text() == b.read_text()
    assert len(json.loads(a.read_text())["results"]) == 12


# A family whose sweeps fail at one point each (a negative volume, refused by E1 at that
# point only): the failure reasons must come through workers and checkpoints.
FAILING = """.title failing points
.param v=1e-20
.model cu eph(sigma=2e9)
TB bath 0.05
P1 s 1p
E1 s bath cu vol={v}
.step P1 list 1p 2p 3p
.sweep v list 1e-20 -1e-20 2e-20
.print T(s)
"""


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_streamed_output_is_the_whole_output(fmt, serial):
    """The checkpointed CLI writes chunk by chunk; the bytes equal the whole-run format."""
    from thermnet.results.io import FORMATS
    from thermnet.results.stream import PIECES
    res = serial
    for cuts in ([12], [1, 5, 6], [0, 12]):
        parts, at = [], 0
        for c in cuts:
            parts.append(res.results[at:at + c])
            at += c
        assert "".join(PIECES[fmt](res.title, parts)) == FORMATS[fmt](res)


def test_checkpointed_cli_keeps_failed_points(tmp_path, capsys):
    from thermnet.cli import main
    net = tmp_path / "failing.net"
    net.write_text(FAILING)
    with pytest.warns(FailedPointsWarning):
        whole = thermnet.load(str(net)).run(jobs=1)
    assert [list(r.converged) for r in whole] == [[True, False, True]] * 3
    out = tmp_path / "out.json"
    for _ in range(2):                           # computed, then read back from the checkpoint
        code = main(["run", str(net), "--jobs", "2", "--checkpoint", str(tmp_path / "ck"),
                     "-o", str(out)])
        assert code == 2                         # failed points: exit status 2
        assert out.read_text() == to_json(whole)
        err = capsys.readouterr().err
        assert err.count("vol must be positive") == 3 and "point 1 (v=-1e-20)" in err


def test_transients_and_measures_through_workers_and_checkpoints(tmp_path):
    """A .step family of .tran with a .measure: the time series, the measures and the
    analysis's extras come back from a worker and from a checkpoint unchanged."""
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "netlists", "calorimeter_pulse.net")) as fh:
        text = fh.read().replace(".tran 2u 400u", ".tran 10u 200u")
    text += ".step TB list 40m 60m\n.measure tran tmax MAX T(A)\n"
    serial = thermnet.parse(text, "cal.net").run(jobs=1)
    assert [r.analysis for r in serial] == ["tran", "tran"]
    assert serial[0].measures["tmax"] > 0.04 and serial[1].measures["tmax"] > 0.06
    _same(serial, thermnet.parse(text, "cal.net").run(jobs=2))
    folder = str(tmp_path / "ck")
    _same(serial, thermnet.parse(text, "cal.net").run(checkpoint=folder))
    again = thermnet.parse(text, "cal.net").run(checkpoint=folder)     # read back
    _same(serial, again)
    assert again[1].measures == serial[1].measures and again[1].extras == serial[1].extras
