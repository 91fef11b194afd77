"""Helpers for the trusted side of the Phase 8 checks: statistics and plain-words messages."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Any

from graders.harness import GradeFailure


def failure(what: str, got: str, expected: str, why: str = "") -> GradeFailure:
    """A failure message in the course's Called / Got / Expected / Why layout."""
    lines = [f"Checked:  {what}", f"Got:      {got}", f"Expected: {expected}"]
    if why:
        lines.append(f"Why:      {why}")
    return GradeFailure("\n".join(lines))


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (share=0.99 is p99): a value that was really observed."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def short(value: Any, limit: int = 300) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
