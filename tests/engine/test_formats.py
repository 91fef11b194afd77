"""Every report format checked against its published spec, by its real consumer where one runs
here (junitparser, xmlschema, GitHub Classroom's reporter under Node) and otherwise by a JSON
Schema written from the spec. Each test names the spec and version it holds the format to."""

from __future__ import annotations

import base64
import json
import os
import shutil
import stat
import subprocess
from fractions import Fraction
from pathlib import Path

import jsonschema
import pytest
import xmlschema
from junitparser import Error, Failure, JUnitXml

from graders.manifest import load_course
from graders.paths import REPO_ROOT
from graders.report import classroom, formats, learner_text, scoring, test_source
from graders.results import ExerciseResult, GradingResult, TestResult

DATA = Path(__file__).parent / "data"
TARGET = "/tmp/grading-copy-1234/copy"
GRADER = "ch30/test_transfer_rollback.py"
NOISY = "\x1b[31mred\x1b[0m and a NUL\x00 and a bell\x07 done"


def schema(name: str) -> dict:
    return json.loads((DATA / name).read_text())


def make_result(*, problem: str = "", printed: str = "") -> GradingResult:
    """Tasks 1-2 of ch30/transfer_rollback (2 and 4 points), one test of each verdict."""
    shown = f"\nPrinted:  {printed}" if printed else ""
    tests = [
        TestResult(
            f"{GRADER}::test_get_balances_reads_every_account",
            "ch30/transfer_rollback",
            1,
            "test_get_balances_reads_every_account",
            "reads every account",
            "passed",
            points=1.0,
            max_points=1.0,
            duration=0.25,
        ),
        TestResult(
            f"{GRADER}::test_get_balances_reads_any_accounts",
            "ch30/transfer_rollback",
            1,
            "test_get_balances_reads_any_accounts",
            "reads any accounts",
            "failed",
            message=f"Called:   get_balances(conn)\nReturned: {{}}\nExpected: 2{shown}",
            kind="assertion",
            max_points=1.0,
            duration=0.5,
        ),
        TestResult(
            f"{GRADER}::test_transfer_moves_money_and_returns_new_balances",
            "ch30/transfer_rollback",
            2,
            "test_transfer_moves_money_and_returns_new_balances",
            "transfer moves money",
            "failed",
            message=f"Raised:   NotImplementedError  ({TARGET}/ch30/transfer_rollback.py, "
            "line 12, in transfer)\nThis is still the stub.",
            kind="stub",
            max_points=1.0,
            duration=0.5,
        ),
        TestResult(
            f"{GRADER}::test_transfer_is_committed",
            "ch30/transfer_rollback",
            2,
            "test_transfer_is_committed",
            "transfer is committed",
            "failed",
            message="Problem:  the process crashed",
            kind="crashed",
            max_points=1.0,
        ),
    ]
    entry = ExerciseResult(
        "ch30/transfer_rollback",
        "Transfer with rollback",
        tests=tests,
        problem=problem,
        problem_kind="syntax_error" if problem else "",
    )
    return GradingResult([entry], target=TARGET)


def perfect(count: int, points: int = 4) -> GradingResult:
    """A learner passing every test of one task worth ``points`` split over ``count`` tests."""
    tests = [
        TestResult(
            f"x.py::t{i}",
            "ch99/x",
            1,
            f"t{i}",
            f"test {i}",
            "passed",
            points=round(points / count, 4),
            max_points=round(points / count, 4),
        )
        for i in range(count)
    ]
    return GradingResult([ExerciseResult("ch99/x", "X", tests=tests)], target=TARGET)


@pytest.fixture(scope="module")
def course():
    return load_course()


# -- exact points ---------------------------------------------------------------------------
@pytest.mark.parametrize("count", [3, 6, 7, 9])
def test_per_test_points_add_up_exactly_in_every_total(count):
    # 4 points over 3 tests is 1.3333 * 3 = 3.9999 in the engine's rounding; shares here are
    # sixteenths, so plain float addition (what JavaScript and Ruby do) gives exactly 4.
    gradescope = formats.gradescope_data(perfect(count))
    running = 0.0
    for test in gradescope["tests"]:
        running += test["score"]
    assert running == gradescope["score"] == 4
    data = formats.classroom_data(perfect(count))
    running = 0.0
    for test in data["tests"]:
        running += test["score"]
    assert running == data["max_score"] == 4
    assert all(len(scoring.show(t["score"]).split(".")[-1]) <= 4 for t in data["tests"])


def test_shares_differ_by_at_most_one_unit_and_none_is_zero():
    shares = scoring.split_points(3, 23)
    assert sum(shares) == 3 and min(shares) > 0
    assert max(shares) - min(shares) <= Fraction(1, 16)


# -- learner-visible text -------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(formats.WRITERS))
def test_no_temporary_path_or_control_code_in_any_format(name, course):
    text = formats.WRITERS[name](make_result(printed=NOISY), course)
    assert "/tmp/" not in text and "grading-copy" not in text
    assert "exercises/ch30/transfer_rollback.py" in text
    for bad in ("\x1b", "\x00", "\x07", "\\u001b", "\\u0000", "\\u0007"):
        assert bad not in text, (name, bad)


def test_paths_are_shown_as_the_learner_sees_them():
    text = learner_text.for_learner(
        f"{REPO_ROOT}/graders/ch30/test_transfer_rollback.py:12 | {TARGET}/ch30/x.py, line 3 | "
        'File "/var/tmp/zz/ch31/y.py", line 4 | exercises/ch32/z.py',
        TARGET,
    )
    assert text == (
        "graders/ch30/test_transfer_rollback.py:12 | exercises/ch30/x.py, line 3 | "
        'File "exercises/ch31/y.py", line 4 | exercises/ch32/z.py'
    )


def test_output_files_follow_the_umask(tmp_path):
    previous = os.umask(0o022)
    try:
        formats.write_atomic(tmp_path / "report.json", "{}")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "report.json").stat().st_mode) == 0o644


# -- JUnit: Jenkins junit-10.xsd (xunit-plugin), read back by junitparser -------------------
def test_junit_is_valid_against_jenkins_junit_10_xsd(course, tmp_path):
    """Spec: Jenkins xUnit plugin junit-10.xsd (restated in tests/engine/data)."""
    text = formats.to_junit(make_result(printed=NOISY), course)
    xmlschema.XMLSchema(str(DATA / "junit-10.xsd")).validate(text)
    path = tmp_path / "junit.xml"
    path.write_text(text)
    cases = {case.name: case for suite in JUnitXml.fromfile(str(path)) for case in suite}
    assert cases["test_get_balances_reads_every_account"].is_passed
    wrong = cases["test_get_balances_reads_any_accounts"].result
    assert [type(r) for r in wrong] == [Failure]  # a wrong answer is a failure
    assert "Printed" not in wrong[0].text and "Expected: 2" in wrong[0].text
    printed = cases["test_get_balances_reads_any_accounts"].system_out
    assert printed == "red and a NUL and a bell done"
    stub = cases["test_transfer_moves_money_and_returns_new_balances"].result
    assert [type(r) for r in stub] == [Error]  # a stub could not run: an error
    assert [type(r) for r in cases["test_transfer_is_committed"].result] == [Error]


def test_junit_counts_match_the_cases(course):
    from xml.etree import ElementTree

    root = ElementTree.fromstring(formats.to_junit(make_result(), course))
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("4", "1", "2")


# -- Exercism test-runner interface v3 ------------------------------------------------------
def test_exercism_v3_matches_the_spec(course):
    """Spec: exercism/docs test-runners/interface.md, results.json version 3."""
    data = json.loads(formats.to_exercism(make_result(printed=NOISY), course))
    jsonschema.validate(data, schema("exercism-results-v3.schema.json"))
    assert (data["status"], data["message"]) == ("fail", None)
    statuses = [t["status"] for t in data["tests"]]
    assert statuses == ["pass", "fail", "error", "error"]
    assert [t["task_id"] for t in data["tests"]] == [1, 1, 2, 2]
    failing = data["tests"][1]
    assert failing["output"] == "red and a NUL and a bell done"  # the prints, not in message
    assert "Printed" not in failing["message"]
    source = (Path(formats.__file__).parents[1] / "ch30" / "test_transfer_rollback.py").read_text()
    for test in data["tests"]:
        assert test["test_code"] and test["test_code"].splitlines()[0].strip() in source
        assert not test["test_code"].startswith(("def ", '"""'))


def test_exercism_caps_output_at_500_characters(course):
    data = json.loads(formats.to_exercism(make_result(printed="x" * 5000), course))
    output = data["tests"][1]["output"]
    assert len(output) <= 500
    assert output.endswith("Output was truncated. Please limit to 500 chars")


def test_exercism_error_only_when_nothing_ran(course):
    problem = f"SyntaxError in {TARGET}/ch30/transfer_rollback.py, line 3: invalid syntax"
    data = json.loads(formats.to_exercism(make_result(problem=problem), course))
    jsonschema.validate(data, schema("exercism-results-v3.schema.json"))
    assert data["status"] == "error"
    assert (
        data["message"] == "SyntaxError in exercises/ch30/transfer_rollback.py, line 3: "
        "invalid syntax"
    )


# -- Gradescope -----------------------------------------------------------------------------
def test_gradescope_uses_only_spec_fields_and_tests_sum_to_the_score(course):
    """Spec: Gradescope autograder specifications, results.json output format."""
    data = json.loads(formats.to_gradescope(make_result(printed=NOISY), course))
    jsonschema.validate(data, schema("gradescope-results.schema.json"))
    assert sum(Fraction(t["score"]) for t in data["tests"]) == Fraction(data["score"])
    assert sum(t["max_score"] for t in data["tests"]) == 6  # course.toml: task 1 is 2, task 2 is 4
    assert [t["max_score"] for t in data["tests"]] == [1, 1, 2, 2]
    assert data["execution_time"] == 2  # 1.25 s of tests, rounded up to whole seconds
    first = data["tests"][0]
    assert first["tags"] == ["ch30/transfer_rollback", "ch30", "task 1"]
    assert data["tests"][2]["tags"][-1] == "stub"
    assert "Your code printed:\nred and a NUL and a bell done" in data["tests"][1]["output"]


def test_gradescope_visibility_comes_from_test_metadata(tmp_path, monkeypatch, course):
    folder = tmp_path / "ch30"
    folder.mkdir()
    (folder / "test_transfer_rollback.py").write_text(
        'import pytest\nVISIBILITY = "after_due_date"\n\n'
        '@pytest.mark.visibility("visible")\ndef test_get_balances_reads_every_account():\n'
        "    assert True\n\ndef test_get_balances_reads_any_accounts():\n    assert True\n"
    )
    monkeypatch.setattr(test_source, "GRADERS_DIR", tmp_path)
    test_source._parse.cache_clear()
    try:
        data = formats.gradescope_data(make_result(), course)
    finally:
        test_source._parse.cache_clear()
    assert [t["visibility"] for t in data["tests"][:2]] == ["visible", "after_due_date"]


# -- GitHub Classroom: the reporter's own code under Node -----------------------------------
REPORTER_MIRROR = Path("/work/.mirror/classroom-resources+autograding-grading-reporter/repo")


def reporter_script(tmp_path: Path) -> Path | None:
    """classroom-resources/autograding-grading-reporter@v1's dist/main.js, the file Actions
    runs. It is not published on npm, so it comes from CLASSROOM_REPORTER_JS or a local
    snapshot of its repository (tag v1); it is never copied into this project."""
    override = os.environ.get("CLASSROOM_REPORTER_JS")
    if override and Path(override).is_file():
        return Path(override)
    if (REPORTER_MIRROR / "HEAD").exists() or (REPORTER_MIRROR / ".git").exists():
        shown = subprocess.run(
            ["git", "show", "v1:dist/main.js"],
            cwd=REPORTER_MIRROR,
            capture_output=True,
            check=False,
        )
        if shown.returncode == 0:
            script = tmp_path / "main.js"
            script.write_bytes(shown.stdout)
            return script
    return None


def run_reporter(script: Path, runners: dict[str, str]) -> dict:
    env = {"PATH": os.environ.get("PATH", ""), "INPUT_RUNNERS": ",".join(runners)}
    env.update({f"{name.upper()}_RESULTS": value for name, value in runners.items()})
    done = subprocess.run(
        ["node", str(script)], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    for line in done.stdout.splitlines():
        if line.startswith("::notice title=Autograding report::"):
            return json.loads(line.split("::", 2)[2])
    raise AssertionError(f"no grade reported:\n{done.stdout}\n{done.stderr}")


def test_classroom_reporter_receives_exact_points_per_chapter(tmp_path, course):
    """Spec: classroom-resources/autograding-grading-reporter v1 (the code Classroom runs)."""
    if shutil.which("node") is None:
        pytest.skip("Node.js is not installed: cannot run GitHub Classroom's reporter")
    script = reporter_script(tmp_path)
    if script is None:
        pytest.skip(
            "GitHub Classroom's reporter (autograding-grading-reporter v1, not on npm) "
            "is not available here: set CLASSROOM_REPORTER_JS to its dist/main.js"
        )
    first, second = perfect(3), perfect(7, points=3)
    second.exercises[0].id = "ch98/y"
    for test in second.tests():
        test.exercise = "ch98/y"
    both = GradingResult([*first.exercises, *second.exercises], target=TARGET)
    outputs = classroom.runner_outputs(both, None)
    assert sorted(outputs) == ["ch98", "ch99"]
    for value in outputs.values():
        jsonschema.validate(
            json.loads(base64.b64decode(value)), schema("classroom-result.schema.json")
        )
    assert run_reporter(script, outputs) == {"totalPoints": 7, "maxPoints": 7}
    partial = {"ch99": formats.classroom_encoded(make_result(), course)}
    expected = formats.classroom_data(make_result(), course)
    assert run_reporter(script, partial) == {"totalPoints": 1, "maxPoints": 6}
    assert expected["max_score"] == 6


@pytest.mark.parametrize(("count", "kept"), [(600, 600), (5000, 1)])
def test_classroom_result_fits_one_environment_value(count, kept):
    # Long failure messages are shortened first; a result too big even then is reported
    # one entry per exercise. Either way the points stay exact.
    tests = [
        TestResult(
            f"x.py::t{i}",
            "ch99/x",
            1,
            f"t{i}",
            f"test number {i}",
            "failed",
            message="Expected: something else\n" + "y" * 400,
            kind="assertion",
            max_points=0.1,
        )
        for i in range(count)
    ]
    tests[0].outcome, tests[0].points = "passed", 0.1
    result = GradingResult([ExerciseResult("ch99/x", "X", tests=tests)], target=TARGET)
    encoded = formats.classroom_encoded(result)
    assert len(encoded) <= formats.CLASSROOM_RESULT_LIMIT < 128 * 1024
    data = json.loads(base64.b64decode(encoded))
    assert len(data["tests"]) == kept
    share = Fraction(scoring.split_points(count / 10, count)[0])
    assert sum(Fraction(t["score"]) for t in data["tests"]) == share
    assert data["max_score"] == count / 10


def test_our_json_round_trips_with_exact_totals(course):
    data = json.loads(formats.to_json(make_result(), course))
    back = GradingResult.from_dict(data)
    assert [t.id for t in back.tests()] == [t.id for t in make_result().tests()]
    assert (data["total"], data["possible"], data["target"]) == (1.0, 6.0, "exercises")
