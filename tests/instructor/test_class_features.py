"""Running a real class: one learner re-graded, overrides kept across runs, a class list with
missing and unknown learners, Canvas and Moodle exports, late work, and the HTML charts."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from graders.batch import class_list, deadlines, lms, overrides
from graders.batch.analysis import LearnerRecord
from graders.manifest import load_course
from graders.paths import EXERCISES_DIR, REPO_ROOT, SOLUTIONS_DIR
from tests.instructor.test_batch import EXERCISE, MUTANT, SOLUTION, gradebook, run_grade

pytestmark = pytest.mark.timeout(600)
COURSE = load_course()
BY_ID = {e.id: e for e in COURSE.exercises}
POSSIBLE = BY_ID[EXERCISE].points
DUE = "2026-10-05T23:59:00+00:00"


def put(submissions: Path, learner: str, source: Path) -> Path:
    folder = submissions / learner / "ch30"
    folder.mkdir(parents=True)
    (folder / "transfer_rollback.py").write_bytes(source.read_bytes())
    return submissions / learner


@pytest.fixture(scope="module")
def term_class(tmp_path_factory):
    """ada on time, bo two days late (a timestamp file), cy a stub, dee one day late (a git
    repository whose last commit is the time), plus a class list and an override."""
    root = tmp_path_factory.mktemp("class")
    subs = root / "submissions"
    put(subs, "ada", SOLUTION)
    bo = put(subs, "bo", SOLUTION)
    (bo / "SUBMITTED_AT").write_text("2026-10-07T12:00:00+00:00\n")
    put(subs, "cy", EXERCISES_DIR / f"{EXERCISE}.py")
    dee = put(subs, "dee", MUTANT)
    when = "2026-10-06T10:00:00+00:00"
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    git = ["git", "-c", "user.name=dee", "-c", "user.email=dee@example.invalid"]
    subprocess.run(["git", "init", "-q"], cwd=dee, check=True)
    subprocess.run(["git", "add", "-A"], cwd=dee, check=True)
    subprocess.run([*git, "commit", "-qm", "work"], cwd=dee, check=True, env=env)
    term = root / "term.toml"
    term.write_text(
        f'[policy]\nkind = "per_day"\npercent_per_day = 10\nmax_percent = 50\n\n'
        f'[due]\nch30 = "{DUE}"\n'
    )
    roster = root / "roster.csv"
    roster.write_text(
        "Submission,Student ID,Name,Email\n"
        "ada,1001,Ada L,ada@uni.example\n"
        "bo,1002,Bo K,bo@uni.example\n"
        "cy,1003,Cy M,cy@uni.example\n"
        "eve,1005,Eve N,eve@uni.example\n"
    )
    fix = root / "overrides.csv"
    fix.write_text(
        "learner,exercise,points,percent,reason,who\n"
        f"cy,{EXERCISE},,50,medical note: half credit agreed,prof. k\n"
    )
    out = root / "out"
    done = run_grade(
        subs,
        out,
        "--term",
        str(term),
        "--roster",
        str(roster),
        "--overrides",
        str(fix),
        "--export",
        "canvas",
        "--export",
        "moodle",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return {"subs": subs, "out": out, "term": term, "roster": roster, "first": done}


def test_late_work_is_deducted_per_started_day_and_shown(term_class):
    book = gradebook(term_class["out"])
    assert float(book["ada"][EXERCISE]) == POSSIBLE  # no time known: never late
    assert float(book["bo"][EXERCISE]) == pytest.approx(POSSIBLE * 0.8)  # 1 day 12 h: 2 days
    assert "late ch30/transfer_rollback" in book["bo"]["notes"] and "-20%" in book["bo"]["notes"]
    feedback = (term_class["out"] / "learners" / "bo" / "feedback.md").read_text()
    assert feedback.count("## Late work and adjustments") == 1 and "-20%" in feedback
    assert "last commit" in book["dee"]["notes"]  # the git repository's commit time was used


def test_override_applies_with_its_reason_and_survives_a_rerun(term_class):
    book = gradebook(term_class["out"])
    assert float(book["cy"][EXERCISE]) == pytest.approx(POSSIBLE / 2)
    assert "medical note" in book["cy"]["notes"] and "prof. k" in book["cy"]["notes"]
    again = run_grade(term_class["subs"], term_class["out"], "--roster", str(term_class["roster"]))
    assert again.returncode == 0, again.stderr
    book = gradebook(term_class["out"])
    assert float(book["cy"][EXERCISE]) == pytest.approx(POSSIBLE / 2)  # kept without --overrides
    feedback = (term_class["out"] / "learners" / "cy" / "feedback.md").read_text()
    assert feedback.count("## Late work and adjustments") == 1


def test_class_list_flags_missing_and_unknown_learners(term_class):
    book = gradebook(term_class["out"])
    assert book["eve"]["status"] == "missing" and book["eve"]["student_id"] == "1005"
    assert "not in the class list" in book["dee"]["notes"]
    assert book["ada"]["email"] == "ada@uni.example"
    assert "missing: eve" in term_class["first"].stdout


def test_canvas_and_moodle_exports(term_class):
    out = term_class["out"]
    canvas = list(csv.reader(io.StringIO((out / "canvas.csv").read_text())))
    assert canvas[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert canvas[1][0] == "Points Possible"
    students = {row[2]: row for row in canvas[2:]}
    assert set(students) == {"1001", "1002", "1003", "1005"}  # the class list, no one else
    column = canvas[0].index(next(h for h in canvas[0] if h.startswith(EXERCISE)))
    assert float(students["1001"][column]) == POSSIBLE and students["1005"][column] == "0"
    moodle = list(csv.DictReader(io.StringIO((out / "moodle.csv").read_text())))
    by_email = {row["Email address"]: row for row in moodle}
    assert float(by_email["bo@uni.example"][EXERCISE]) == pytest.approx(POSSIBLE * 0.8)
    assert by_email["cy@uni.example"]["ID number"] == "1003"


def test_only_regrades_one_learner_and_keeps_the_rest(term_class, tmp_path):
    out = term_class["out"]
    outcome = out / "learners" / "ada" / "outcome.json"
    before = outcome.stat().st_mtime_ns
    (term_class["subs"] / "bo" / "ch30" / "transfer_rollback.py").write_bytes(MUTANT.read_bytes())
    try:
        done = run_grade(term_class["subs"], out, "--only", "bo")
        assert done.returncode == 0, done.stderr
        book = gradebook(out)
        assert set(book) >= {"ada", "bo", "cy", "dee"}  # everyone is still in the gradebook
        assert float(book["bo"][EXERCISE]) < POSSIBLE  # bo's new file was graded
        assert outcome.stat().st_mtime_ns == before  # ada was not touched
    finally:
        (term_class["subs"] / "bo" / "ch30" / "transfer_rollback.py").write_bytes(
            SOLUTION.read_bytes()
        )
    unknown = run_grade(term_class["subs"], out, "--only", "nobody")
    assert unknown.returncode == 2 and "no such learner" in unknown.stderr


def test_charts_are_offline_html_with_svg_and_count_stubs_apart(term_class):
    report = (term_class["out"] / "class_report.html").read_text()
    assert report.count("<svg") >= 2
    for page in (report, (term_class["out"] / "item_analysis.html").read_text()):
        assert not re.search(r"""(src|href)=["'](https?:)?//""", page)  # nothing from a network
        assert "<script" not in page
    assert "not attempted" in report
    items = (term_class["out"] / "item_analysis.html").read_text()
    assert "<svg" in items and "not attempted" in items


# -- the parts on their own -----------------------------------------------------------------------
def test_policies_per_day_cap_cutoff_and_grace():
    per_day = deadlines.Policy("per_day", 10, 30, timedelta(minutes=15))
    assert per_day.deduction(timedelta(minutes=10)) == (0.0, 0)  # within grace
    assert per_day.deduction(timedelta(hours=1)) == (10, 1)
    assert per_day.deduction(timedelta(days=2, seconds=1)) == (30, 3)
    assert per_day.deduction(timedelta(days=9)) == (30, 9)  # capped
    cutoff = deadlines.Policy("cutoff")
    assert cutoff.deduction(timedelta(seconds=1)) == (100.0, 1)
    assert deadlines.Policy().deduction(timedelta(days=99)) == (0.0, 0)


def test_zip_entries_give_the_submission_time(tmp_path):
    archive = tmp_path / "fay.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        info = zipfile.ZipInfo("fay/ch30/transfer_rollback.py", date_time=(2026, 10, 8, 9, 30, 0))
        handle.writestr(info, "x = 1\n")
    moment, how = deadlines.submitted_at(archive)
    assert moment == datetime(2026, 10, 8, 9, 30, tzinfo=timezone.utc) and how == "newest zip entry"


def test_term_file_errors_are_plain(tmp_path):
    bad = tmp_path / "term.toml"
    bad.write_text('[due]\nch99 = "2026-01-01T00:00:00Z"\n')
    with pytest.raises(deadlines.TermError, match="ch99"):
        deadlines.load_term(bad, BY_ID)
    bad.write_text('[due]\nch30 = "2026-01-01 00:00"\n')
    with pytest.raises(deadlines.TermError, match="time zone"):
        deadlines.load_term(bad, BY_ID)


def test_override_rows_are_checked():
    with pytest.raises(overrides.OverrideError, match="either points or percent"):
        overrides.parse(f"learner,exercise,points,percent,reason\nada,{EXERCISE},1,50,x\n", BY_ID)
    with pytest.raises(overrides.OverrideError, match="needs a reason"):
        overrides.parse(f"learner,exercise,points,reason\nada,{EXERCISE},1,\n", BY_ID)
    with pytest.raises(overrides.OverrideError, match="unknown exercise"):
        overrides.parse("learner,exercise,points,reason\nada,ch99/x,1,typo\n", BY_ID)
    [row] = overrides.parse(f"learner,exercise,points,reason\nada,{EXERCISE},999,bonus\n", BY_ID)
    assert row.score(POSSIBLE) == POSSIBLE  # never above the exercise's points


def test_class_list_columns_by_name_and_duplicates():
    students = class_list.parse("\ufeffEmail,Full Name,GitHub Username\na@x,Ann,ann-gh\n")
    assert students == [class_list.Student("ann-gh", "", "Ann", "a@x")]
    with pytest.raises(class_list.ClassListError, match="twice"):
        class_list.parse("submission\nann\nANN\n")
    record = LearnerRecord("ann-gh", "graded", source="ann-gh.zip")
    matched = class_list.match([class_list.Student("ann-gh.zip")], [record])
    assert matched.rows == [(class_list.Student("ann-gh.zip"), record)]


def test_lms_exports_leave_out_learners_not_in_the_class_list():
    record = LearnerRecord("zed", "graded", scores={EXERCISE: 1.0}, total=1.0)
    matched = class_list.match([], [record])
    exercises = [BY_ID[EXERCISE]]
    assert len(list(csv.reader(io.StringIO(lms.canvas_csv(matched, exercises))))) == 2
    assert len(list(csv.reader(io.StringIO(lms.moodle_csv(matched, exercises))))) == 1


def test_release_leaves_no_solutions_for_the_stub(term_class):
    """cy's stub scores 0 before the override: the override, not the grader, gave the points."""
    stored = (term_class["out"] / "learners" / "cy" / "outcome.json").read_text()
    assert '"total": 0' in stored or '"total": 0.0' in stored
    assert REPO_ROOT.is_dir() and SOLUTIONS_DIR.is_dir()
