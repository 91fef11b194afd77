"""Runs the characterisation suite kept next to the legacy code (the gate's contract path)."""

from taskforge.legacy.test_characterisation import *  # noqa: F403 - its tests and fixtures
