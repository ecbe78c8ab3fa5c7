"""The built wheel, installed outside the repository, has what a user needs: the shipped
examples (run by name, copied), the shipped device library for ``.include``, ``--version``
and ``python -m thermnet`` (docs/install.md)."""
from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

import thermnet
from thermnet import library

ROOT = Path(__file__).resolve().parents[1]

# .op of a device pair from the shipped library, by plain name (found on the library path)
OUTSIDE = """.title outside the repository
.include "dey2023_devices.lib"
TB bath 30mK
P1 S 2pW
XS S bath a c dey_source
XD D bath c a dey_drain
.print T(S) T(D)
"""


def _run(cmd, cwd, env=None, stdin=None):
    return subprocess.run(cmd, cwd=cwd, env=env, input=stdin, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh venv outside the repository with the wheel installed (no dependencies: those
    of the test environment are on its path through a .pth file, the editable thermnet is
    not)."""
    tmp = tmp_path_factory.mktemp("wheel")
    # the test environment's setuptools (the test extra) builds it: fast, and offline
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                  "-q", "-w", str(tmp), str(ROOT)], cwd=tmp)
    assert built.returncode == 0, built.stderr
    wheel = next(tmp.glob("thermnet-*.whl"))
    venv = tmp / "venv"
    made = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    site = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                cwd=tmp).stdout.strip()
    Path(site, "test_deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    got = _run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
                "--no-deps", str(wheel)], cwd=tmp)
    assert got.returncode == 0, got.stderr
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "THERMNET_PATH")}
    return {"wheel": wheel, "bin": venv / "bin", "python": python, "cwd": tmp, "env": env}


def test_installed_package_is_the_wheel(installed):
    out = _run([str(installed["python"]), "-c", "import thermnet, thermnet.library as l; "
                "print(thermnet.__file__); print(l.shipped_dir())"],
               cwd=installed["cwd"], env=installed["env"])
    assert out.returncode == 0, out.stderr
    module, shipped = out.stdout.split()
    assert module.startswith(str(installed["cwd"] / "venv")), module
    assert shipped == str(Path(module).parent / "data")
    shipped_files = {str(p.relative_to(ROOT / "netlists"))
                     for p in (ROOT / "netlists").rglob("*") if p.is_file()}
    with zipfile.ZipFile(installed["wheel"]) as z:
        data = {n[len("thermnet/data/"):] for n in z.namelist()
                if n.startswith("thermnet/data/")}
        assert "LICENSE" in " ".join(z.namelist())
    assert data == shipped_files


def test_version_and_python_m(installed):
    for cmd in ([str(installed["bin"] / "thermnet"), "--version"],
                [str(installed["python"]), "-m", "thermnet", "--version"]):
        out = _run(cmd, cwd=installed["cwd"], env=installed["env"])
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == f"thermnet {thermnet.__version__}"


def test_examples_by_name(installed):
    exe, cwd, env = str(installed["bin"] / "thermnet"), installed["cwd"], installed["env"]
    listed = _run([exe, "examples"], cwd=cwd, env=env)
    assert listed.stdout.split() == library.examples()
    out = _run([exe, "run", "two_islands_rlc", "--set", "P1=1pW", "--si"], cwd=cwd, env=env)
    assert out.returncode == 0, out.stderr
    row = out.stdout.splitlines()[-2].split()
    # the same netlist solved in this process (from the repository) gives the same T(S)
    net = thermnet.load(str(ROOT / "netlists" / "two_islands_rlc.net")).hold("P1", 1e-12)
    assert float(row[0]) == pytest.approx(net.run()[0].columns["T(S)"], rel=1e-9)
    copied = _run([exe, "examples", "dey2023_fig3", "-o", "."], cwd=cwd, env=env)
    assert copied.returncode == 0, copied.stderr
    assert (cwd / "dey2023_fig3.net").read_bytes() == \
        (ROOT / "netlists" / "dey2023_fig3.net").read_bytes()


def test_include_of_the_shipped_library_outside_the_repository(installed):
    exe, cwd, env = str(installed["bin"] / "thermnet"), installed["cwd"], installed["env"]
    (cwd / "outside.net").write_text(OUTSIDE)
    out = _run([exe, "run", "outside.net", "--si"], cwd=cwd, env=env)
    assert out.returncode == 0, out.stderr
    here = thermnet.parse(OUTSIDE).run()[0].columns
    values = [float(x) for x in out.stdout.splitlines()[-2].split()]
    assert values == pytest.approx([here["T(S)"], here["T(D)"]], rel=1e-9)
    piped = _run([exe, "run", "-", "--si"], cwd=cwd, env=env, stdin=OUTSIDE)
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout == out.stdout
