"""``python -m bench`` is ``t2vbench``."""

import sys

from bench.cli import main

sys.exit(main())
