"""The sandbox survives whatever learner code does, and reports it in plain words."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from graders.sandbox.client import Sandbox, SandboxError
from graders.sandbox.isolation import Isolation


def act_call_twice(module, name):
    """Used by a test below: runs inside the sandbox."""
    return [getattr(module, name)(), getattr(module, name)()]


@pytest.fixture
def make_sandbox(tmp_path: Path):
    made: list[Sandbox] = []

    def build(source: str, *, timeout: float = 5.0, import_timeout: float = 5.0, **kw) -> Sandbox:
        folder = tmp_path / f"learner{len(made)}"
        folder.mkdir()
        path = folder / "solution.py"
        path.write_text(textwrap.dedent(source))
        # Under full isolation only the graders package is visible, not this test module.
        preload = () if "isolation" in kw else (__name__,)
        sandbox = Sandbox(
            path, timeout=timeout, import_timeout=import_timeout, preload=preload, **kw
        )
        made.append(sandbox)
        return sandbox

    yield build
    for sandbox in made:
        sandbox.close()


def test_calls_return_plain_values(make_sandbox):
    box = make_sandbox("def add(a, b):\n    return a + b\n")
    reply = box.call("add", 2, 3)
    assert (reply.status, reply.value) == ("returned", 5)


def test_exceptions_are_described_with_learner_line(make_sandbox):
    box = make_sandbox("def f():\n    raise ValueError('bad input')\n")
    reply = box.call("f")
    assert reply.status == "raised"
    assert reply.error["type"] == "ValueError"
    assert "ValueError" in reply.error["mro"] and "Exception" in reply.error["mro"]
    assert reply.error["frames"][-1][:3] == ["solution.py", 2, "f"]


def test_missing_function_is_reported(make_sandbox):
    box = make_sandbox("def g():\n    return 1\n")
    assert box.call("f").status == "missing"


def test_infinite_loop_times_out_and_next_call_works(make_sandbox):
    box = make_sandbox(
        "def spin():\n    while True:\n        pass\n\ndef ok():\n    return 1\n", timeout=0.5
    )
    assert box.call("spin").status == "timeout"
    assert box.call("ok").value == 1


def test_os_exit_inside_a_function_is_a_crash(make_sandbox):
    box = make_sandbox("import os\ndef f():\n    os._exit(0)\n\ndef ok():\n    return 2\n")
    reply = box.call("f")
    assert reply.status == "crashed"
    assert "status 0" in reply.detail
    assert box.call("ok").value == 2


@pytest.mark.parametrize("exc", ["SystemExit(0)", "KeyboardInterrupt()"])
def test_base_exceptions_are_reported_not_obeyed(make_sandbox, exc):
    box = make_sandbox(f"def f():\n    raise {exc}\n")
    reply = box.call("f")
    assert reply.status == "raised"
    assert reply.error["type"] in {"SystemExit", "KeyboardInterrupt"}


def test_each_call_starts_from_the_imported_state(make_sandbox):
    box = make_sandbox(
        "count = 0\ndef bump():\n    global count\n    count += 1\n    return count\n"
    )
    assert [box.call("bump").value for _ in range(3)] == [1, 1, 1]
    assert box.run(act_call_twice, "bump").value == [1, 2]


def test_output_is_captured_per_call(make_sandbox):
    box = make_sandbox("def talk():\n    print('hello from the learner')\n    return None\n")
    reply = box.call("talk")
    assert "hello from the learner" in reply.output


def test_huge_output_is_cut_by_the_file_size_limit(make_sandbox):
    box = make_sandbox(
        "def flood():\n    while True:\n        print('x' * 10000)\n",
        timeout=20,
        isolation=Isolation(file_size=1024 * 1024),
    )
    reply = box.call("flood")
    assert reply.status == "crashed"
    assert "SIGXFSZ" in reply.detail or "exited" in reply.detail


def test_objects_that_claim_equality_arrive_opaque(make_sandbox):
    box = make_sandbox(
        "class Yes:\n    def __eq__(self, o):\n        return True\n"
        "def answer():\n    return Yes()\n"
    )
    reply = box.call("answer")
    assert reply.status == "returned"
    assert reply.value != 42


@pytest.mark.parametrize(
    ("source", "kind", "text"),
    [
        ("def f(:\n    pass\n", "import_error", "SyntaxError in solution.py, line 1"),
        ("raise RuntimeError('boom at import')\n", "import_error", "boom at import"),
        ("import sys\nsys.exit(3)\n", "import_error", "SystemExit"),
        ("import os\nos._exit(0)\n", "import_crash", "while importing"),
        ("while True:\n    pass\n", "import_timeout", "did not finish"),
    ],
)
def test_import_problems_are_reported_once(make_sandbox, source, kind, text):
    # Only the endless loop needs a short limit; the others must not lose a race with a busy
    # machine (starting the worker can take more than a second under load).
    box = make_sandbox(source, import_timeout=1.0 if kind == "import_timeout" else 30.0)
    with pytest.raises(SandboxError) as caught:
        box.call("anything")
    assert caught.value.kind == kind
    assert text in str(caught.value)


def test_learner_file_is_run_from_a_private_copy(make_sandbox, tmp_path):
    box = make_sandbox(
        "import os\ndef where():\n    return os.path.abspath(__file__)\n"
        "def scribble():\n    open(__file__, 'w').write('oops')\n"
    )
    original = box.learner_file.read_text()
    assert box.call("where").value != str(box.learner_file)
    box.call("scribble")
    assert box.learner_file.read_text() == original
    assert not (box.learner_file.parent / "__pycache__").exists()


def test_environment_is_scrubbed(make_sandbox, monkeypatch):
    monkeypatch.setenv("INSTRUCTOR_SECRET", "hunter2")
    box = make_sandbox("import os\ndef env():\n    return sorted(os.environ)\n")
    assert "INSTRUCTOR_SECRET" not in box.call("env").value


root_only = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="full isolation needs root"
)


@root_only
def test_full_isolation_keeps_python_usable_and_hides_the_rest(make_sandbox):
    from graders.paths import REPO_ROOT, SOLUTIONS_DIR

    source = f"""
import os
def probe():
    import decimal, xml.dom.minidom, encodings.idna  # not loaded before isolation
    facts = {{"uid": os.getuid(), "decimal": str(decimal.Decimal('1.5'))}}
    facts["solutions"] = os.path.exists({str(SOLUTIONS_DIR)!r})
    facts["repo_root"] = sorted(os.listdir({str(REPO_ROOT)!r}))
    facts["home"] = os.path.exists("/root/.bashrc") or os.path.exists("/home")
    try:
        open({str(REPO_ROOT / "graders" / "harness.py")!r}, "a").close()
        facts["write_graders"] = "allowed"
    except OSError as exc:
        facts["write_graders"] = type(exc).__name__
    return facts
"""
    isolation = Isolation.full(uid=61099, hide=[], read_only=[str(REPO_ROOT / "graders")])
    box = make_sandbox(source, isolation=isolation)
    facts = box.call("probe").value
    assert facts["uid"] == 61099 and facts["decimal"] == "1.5"
    assert facts["solutions"] is False  # not hidden: simply not there
    assert facts["repo_root"] == ["graders"] or set(facts["repo_root"]) <= {"graders", ".venv"}
    assert facts["home"] is False
    assert facts["write_graders"] in {"PermissionError", "OSError"}


@root_only
def test_full_isolation_survives_a_restart_after_a_timeout(make_sandbox):
    from graders.paths import REPO_ROOT

    isolation = Isolation.full(uid=61098, hide=[], read_only=[str(REPO_ROOT / "graders")])
    box = make_sandbox(
        "def spin():\n    while True:\n        pass\n\ndef ok():\n    return 3\n",
        timeout=0.5,
        isolation=isolation,
    )
    assert box.call("spin").status == "timeout"
    assert box.call("ok").value == 3


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="full isolation needs root"
)
def test_full_isolation_hides_solutions_mutants_and_alternatives():
    from graders.harness import isolation_for
    from graders.paths import GRADERS_DIR, SOLUTIONS_DIR

    class Config:
        options = {"grader_isolation": "full", "grader_slot": 1, "grader_hide": []}

        def getoption(self, name):
            return self.options.get(name, 512 if "memory" in name else 60)

    hidden = set(isolation_for(Config(), None).hide)
    assert str(SOLUTIONS_DIR) in hidden
    for kind in ("mutants", "alternatives"):
        folders = [str(p) for p in GRADERS_DIR.glob(f"ch*/{kind}")]
        assert folders and set(folders) <= hidden


COUNTING = """
import time
count = 0
def bump(seconds=0):
    global count
    count += 1
    print("bump", count)
    time.sleep(seconds)
    return count
"""


def test_a_batch_runs_each_call_in_a_fresh_child_with_its_own_limit(make_sandbox):
    from graders.sandbox.client import Call

    box = make_sandbox(COUNTING, timeout=1.0)
    box.begin_test()
    replies = box.batch([Call.function("bump"), Call.function("bump"), Call.function("bump")])
    assert [(r.status, r.value, r.output) for r in replies] == [("returned", 1, "bump 1\n")] * 3
    calls = [Call.function("bump"), Call.function("bump", 3), Call.function("bump")]
    replies = box.batch(calls)
    assert [r.status for r in replies] == ["returned", "timeout"]  # stops where a run would
    assert box.timed_out_seconds == 1.0  # charged like any time-out
    assert box.batch([Call.function("bump")]) is None  # this test already paid for one


def test_a_shared_batch_runs_the_calls_in_one_child_and_charges_nothing(make_sandbox):
    from graders.sandbox.client import Call

    box = make_sandbox(COUNTING, timeout=1.0)
    box.begin_test()
    replies = box.batch([Call.function("bump") for _ in range(3)], shared=True)
    assert [r.value for r in replies] == [1, 2, 3]
    replies = box.batch([Call.function("bump"), Call.function("bump", 3)], shared=True)
    assert [r.status for r in replies] == ["returned", "timeout"]
    assert box.timed_out_seconds == 0
    assert box.call("bump").value == 1  # a fresh worker: the stuck child left nothing behind
