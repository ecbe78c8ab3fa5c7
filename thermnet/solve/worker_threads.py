"""Imported first by the forkserver of ``solve/family.py``, before numpy: each worker
process of a ``.step`` family runs BLAS on one thread.  The family's parallelism is its
processes; N processes of N BLAS threads each would oversubscribe the cores (and OpenBLAS's
waiting threads cost CPU even on the small matrices of a heat balance).  A value the user
set in the environment is kept."""
from __future__ import annotations

import os

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
