"""Hostile: leaves with a success status as soon as it is imported."""

import sys

sys.exit(0)
