"""``python -m thermnet``: the command line (``thermnet --help``)."""
import sys

from thermnet.cli import main

sys.exit(main())
