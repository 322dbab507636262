"""``python -m lf``: the ``lf`` command line."""

import sys

from lf.cli import main

sys.exit(main())
