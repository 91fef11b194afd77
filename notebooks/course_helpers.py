"""Plumbing the chapter notebooks share: find your exercises, make scratch files, check your cells.

The notebooks import from here so that their first cell is about the chapter, not about paths.
The check functions never raise: a blank cell gets "not done yet", a wrong answer gets why, and
the notebook always runs to the end.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

NOT_DONE = (
    "Not done yet: replace the ... in the cell above with your {what}, run that cell, "
    "then run this one again."
)


# -- finding the course and your exercises ---------------------------------------------
def find_course_root() -> Path | None:
    """The course folder: $COURSE_ROOT, else the nearest folder upwards holding course.toml."""
    if os.environ.get("COURSE_ROOT"):
        return Path(os.environ["COURSE_ROOT"]).resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "course.toml").is_file() or (folder / "pyproject.toml").is_file():
            return folder
    return None


def load_exercise(relative_path: str):
    """Import exercises/<relative_path> by its file path; None, with a note, when not usable."""
    root = find_course_root()
    if root is None:
        print("Course folder not found (set COURSE_ROOT); using the notebook's demo.")
        return None
    path = root / "exercises" / relative_path
    if not path.is_file():
        print(f"{path} does not exist yet; using the notebook's demo implementation.")
        return None
    name = "exercise_" + relative_path.replace("/", "_").removesuffix(".py")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # a half-written exercise must not stop the notebook
        sys.modules.pop(name, None)
        print(f"Importing {path} failed ({type(exc).__name__}: {exc}); using the demo.")
        return None
    print(f"Loaded your module: {path}")
    return module


# -- scratch files ---------------------------------------------------------------------
class ScratchFolder:
    """A temporary folder for a notebook's database files; `clean_up()` removes it."""

    def __init__(self, prefix: str) -> None:
        self.path = Path(tempfile.mkdtemp(prefix=prefix))

    def fresh_file(self, name: str) -> str:
        """A path in the folder with no leftovers (journal, WAL) from an earlier run."""
        self.path.mkdir(exist_ok=True)  # the clean-up cell may already have run
        target = self.path / name
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(target) + suffix).unlink(missing_ok=True)
        return str(target)

    def clean_up(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        print(f"Removed {self.path}")


# -- checking your cells ---------------------------------------------------------------
def _short(value: Any, limit: int = 120) -> str:
    text = f"{value:.3g}" if isinstance(value, float) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_prediction(
    prediction: Any,
    actual: Any,
    *,
    explanation: str,
    judge: Callable[[Any, Any], bool] | None = None,
) -> bool | None:
    """Compare a prediction with what the code really did, then explain; None when blank."""
    if prediction is ...:
        print(NOT_DONE.format(what="prediction"))
        return None
    try:
        right = judge(prediction, actual) if judge else prediction == actual
    except Exception:  # a prediction of an odd type is simply not right
        right = False
    verdict = "Right" if right else "Not quite"
    print(f"{verdict}: you predicted {_short(prediction)}; the code gave {_short(actual)}.")
    print(explanation)
    return right


Case = tuple[tuple, Any, str]  # (arguments, expected result, why that result is expected)


def check_function(function: Callable, cases: Iterable[Case], *, name: str) -> bool | None:
    """Run your function on each case; say what is missing or wrong, in plain words."""
    cases = list(cases)
    for arguments, expected, why in cases:
        call = f"{name}({', '.join(_short(a, 40) for a in arguments)})"
        try:
            result = function(*arguments)
        except NotImplementedError:
            print(f"Not done yet: {name} still raises NotImplementedError. Write its body above.")
            return None
        except Exception as exc:
            print(f"Not quite: {call} raised {type(exc).__name__}: {exc}")
            return False
        if result is None and expected is not None:
            print(f"Not done yet: {call} returned None. Does the function return its result?")
            return None
        if result != expected:
            print(f"Not quite: {call} returned {_short(result)}; expected {_short(expected)}.")
            print(f"Why: {why}")
            return False
    print(f"All {len(cases)} checks pass: {name} works.")
    return True


def check_value(value: Any, test: Callable[[Any], str | None], *, what: str) -> bool | None:
    """`test` returns None when the value is right, else the reason it is not."""
    if value is ...:
        print(NOT_DONE.format(what=what))
        return None
    try:
        problem = test(value)
    except NotImplementedError:
        print(f"Not done yet: your {what} still raises NotImplementedError. Write it above.")
        return None
    except Exception as exc:
        problem = f"checking it raised {type(exc).__name__}: {exc}"
    if problem:
        print(f"Not quite: {problem}")
        return False
    print(f"Right: your {what} works.")
    return True
