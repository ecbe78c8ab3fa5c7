""".ci/matrix never passes silently: with none of its Pythons found it fails, saying so."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("bash") is None, reason="the CI scripts are bash")
def test_matrix_without_any_python_fails(tmp_path):
    env = dict(os.environ, THERMNET_MATRIX="9.8 9.9", PYENV_ROOT=str(tmp_path),
               PATH="/usr/bin:/bin")
    out = subprocess.run(["bash", str(ROOT / ".ci" / "matrix")], env=env, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 1
    assert "python9.8 not found" in out.stderr and "python9.9 not found" in out.stderr
    assert "ERROR: none of the Pythons 9.8 9.9 was found" in out.stderr
    assert not any(tmp_path.iterdir()) and not (ROOT / ".venv-9.8").exists()
