"""Entry point for ``python -m graders``."""

import sys

from graders.cli import main

sys.exit(main())
