"""The gate harness: the sandboxed learner TaskForge for gate checks, and the judge's guards.

A gate's judge is a pytest run in this (trusted) process. The learner's TaskForge is only
ever imported in a sandbox worker, under the name ``taskforge``. Nothing in the learner's
folder may reach the judge: ``judge_args`` keeps pytest from treating the folder as a test
path (which would load its ``conftest.py``), turns off plugin auto-loading, and
``learner_code_in_judge`` checks afterwards that no module from the folder, and no
``taskforge`` module at all, was imported here.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from graders.harness import isolation_for
from graders.options import SandboxOptions, joined
from graders.paths import EXERCISES_DIR, GRADERS_DIR
from graders.runner import PYTEST_INI
from graders.sandbox.client import Sandbox

GATE_CALL_TIMEOUT = 120.0
DEFAULT_TARGET = EXERCISES_DIR / "taskforge"
PACKAGE = "taskforge"
# The only plugins a gate run loads; everything else (entry points from installed or
# planted distributions) stays off, see judge_args.
JUDGE_PLUGINS = ("pytest_timeout",)


def judge_args(suite: Path, target: Path, options: SandboxOptions, timeout: float) -> list[str]:
    """The pytest arguments of a gate's judge: only the gate's own suite is a test path."""
    args = [
        "-c",
        str(PYTEST_INI),
        "--rootdir",
        str(GRADERS_DIR),
        "--confcutdir",
        str(GRADERS_DIR),  # no conftest.py above the graders, wherever pytest looks
        "-q",
        "-o",
        f"timeout={timeout:g}",
        *[part for name in JUDGE_PLUGINS for part in ("-p", name)],
        "--target",
        str(target),
        *options.pytest_args(),
    ]
    return [*joined(args), str(suite)]


@contextmanager
def no_plugin_autoload() -> Iterator[None]:
    """Plugins come only from the judge's argument list while the gate runs."""
    saved = {k: os.environ.get(k) for k in ("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "PYTEST_PLUGINS")}
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    os.environ.pop("PYTEST_PLUGINS", None)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def learner_code_in_judge(target: Path, before: set[str] = frozenset()) -> list[str]:
    """Modules (not in ``before``) that came from the learner's folder or are a
    ``taskforge``: none may be in the judge's process. Returns their names."""
    folder = str(target.resolve())
    found = []
    for name, module in list(sys.modules.items()):
        if name in before:
            continue
        file = getattr(module, "__file__", None) or ""
        inside = bool(file) and os.path.realpath(file).startswith(folder + os.sep)
        if inside or name == PACKAGE or name.startswith(PACKAGE + "."):
            found.append(name)
    return sorted(found)


@pytest.fixture(scope="module")
def _gate_sandbox(request: pytest.FixtureRequest, _zygote):
    """The learner's TaskForge, served by a sandbox worker (module name ``taskforge``)."""
    config = request.config
    target = Path(config.getoption("grader_target") or DEFAULT_TARGET)
    leaked = learner_code_in_judge(target)
    if leaked:  # the zygote (a fork of this process) would hand them to every worker
        pytest.fail(
            "the judge process holds learner or TaskForge modules "
            f"({', '.join(leaked[:5])}); the gate refuses to grade",
            pytrace=False,
        )
    scale = float(config.getoption("grader_timeout_scale") or 1.0)
    sandbox = Sandbox(
        target,
        preload=(request.module.__name__,),
        package_name=PACKAGE,
        timeout=GATE_CALL_TIMEOUT * scale,
        import_timeout=60,
        isolation=isolation_for(config, None),
        zygote=_zygote,
    )
    yield sandbox
    sandbox.close()
