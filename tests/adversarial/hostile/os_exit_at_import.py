"""Hostile: ends the process outright at import, skipping all cleanup."""

import os

os._exit(0)
