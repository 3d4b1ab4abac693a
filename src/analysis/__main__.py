"""``python -m analysis`` is the ``q1brief`` command."""

import sys

from analysis.cli import main

sys.exit(main())
