"""`python -m kerasfix` runs the CLI."""

import sys

from kerasfix.cli import main

sys.exit(main())
