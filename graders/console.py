"""The one place that decides how output looks: rich consoles and the one-line error."""

from __future__ import annotations

import sys

from rich.console import Console


def stdout_console() -> Console:
    """Rich console for reports; a fixed, roomy width when output is not a terminal."""
    console = Console(highlight=False)
    if not console.is_terminal:
        console = Console(highlight=False, width=120, soft_wrap=True)
    return console


def error(message: str) -> None:
    """Print a one-line error for the user on stderr."""
    print(f"error: {message}", file=sys.stderr)
