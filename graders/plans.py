"""Inputs a differential test draws, kept on disk so that a class (or a verify run) draws
each test's inputs once instead of once per learner.

Used only where ``GRADERS_PLANS`` names a folder the judge trusts: batch grading and verify
point it into the course team's own cache. A learner's own check never reads it, because a
file planted in a submission must never choose the inputs its code is tested on.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from graders.sandbox import codec

PLANS_VARIABLE = "GRADERS_PLANS"
SHRINK_VARIABLE = "GRADERS_SHRINK"  # "0": report the first disagreeing input, unshrunk


def judge_environment(plans: Path, *, shrink: bool = True) -> dict[str, str]:
    """The environment for a judge process the course team starts: draws kept in ``plans``;
    ``shrink=False`` when only verdicts matter (verify), not the smallest failing input."""
    return {**os.environ, PLANS_VARIABLE: str(plans), SHRINK_VARIABLE: "1" if shrink else "0"}


def folder() -> Path | None:
    """Where plans live, or None when this run must draw its own."""
    value = os.environ.get(PLANS_VARIABLE, "")
    return Path(value) if value else None


@cache
def _grader_digest(module_name: str) -> str:
    """The grader's chapter folder and the library that draws: a change to either (or to the
    Python running them) may change the inputs."""
    hasher = hashlib.sha256(sys.version.encode())
    hasher.update(metadata.version("hypothesis").encode())
    module = sys.modules.get(module_name)
    source = Path(getattr(module, "__file__", "") or "")
    if not source.is_file():
        return ""
    for path in sorted(source.parent.glob("*.py")):
        hasher.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return hasher.hexdigest()


def _key(owner: str, description: str, max_examples: int) -> str | None:
    digest = _grader_digest(owner.split("::", 1)[0])
    if not digest or " at 0x" in description:  # an address differs on every run
        return None
    text = json.dumps([digest, owner, description, max_examples])
    return hashlib.sha256(text.encode()).hexdigest()


def load(owner: str, description: str, max_examples: int) -> list[Any] | None:
    """The stored inputs of one differential check (``owner``: grader module, test and
    which check of the test) for this strategy, or None."""
    root, key = folder(), _key(owner, description, max_examples)
    if root is None or key is None:
        return None
    try:
        data = json.loads((root / f"{key}.json").read_text(encoding="utf-8"))
        return [codec.decode(item) for item in data]
    except (OSError, ValueError, TypeError, KeyError):
        return None


def store(owner: str, description: str, max_examples: int, drawn: list[Any]) -> None:
    """Keep the inputs, if every one survives the trip to disk exactly (type for type)."""
    root, key = folder(), _key(owner, description, max_examples)
    if root is None or key is None:
        return
    try:
        encoded = [codec.encode(item) for item in drawn]
    except (ValueError, TypeError, RecursionError):
        return
    decoded = [codec.decode(item) for item in encoded]
    if any(_exact(a) != _exact(b) for a, b in zip(drawn, decoded, strict=True)):
        return  # something (an object, a NaN payload...) would not come back the same
    with contextlib.suppress(OSError):
        root.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=root, suffix=".part")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(encoded, out)
        os.replace(temporary, root / f"{key}.json")  # readers never see half a file


def _exact(value: Any) -> str:
    """A value's repr with every type spelled out, so 1 and True or (1,) and [1] differ."""
    if isinstance(value, list | tuple | set | frozenset):
        items = (
            sorted(map(_exact, value)) if isinstance(value, set | frozenset) else map(_exact, value)
        )
        return f"{type(value).__name__}[{','.join(items)}]"
    if isinstance(value, dict):  # in order: code that iterates a dict sees its order
        pairs = [f"{_exact(k)}:{_exact(v)}" for k, v in value.items()]
        return f"dict{{{','.join(pairs)}}}"
    return f"{type(value).__name__}:{value!r}"
