"""Entry point for ``python -m graders``."""

import os
import sys

# Learner code runs in processes forked from this one, so it inherits this interpreter's
# string-hash seed. A fixed seed makes every run of the same code behave the same way.
if os.environ.get("PYTHONHASHSEED") != "0":
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable, "-m", "graders", *sys.argv[1:]])

from graders.cli import main  # noqa: E402 - only after the re-exec above

sys.exit(main())
