"""Mutation testing for the Phase 8 gate: kept learner-style TaskForges, judged check by check.

Correct designs the gate once refused must pass every check of their requirement; each hole
it once accepted must fail the check that names it. Each runs only the gate's checks for the
requirement concerned (a pytest run of that check file, as the gate runs it), to stay lean.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import overlays
import pytest

REPO = Path(__file__).resolve().parents[3]
CHECKS = REPO / "graders" / "gates" / "phase8"
# A whole gate run takes minutes on a busy machine (data generation, three timed rounds,
# two dozen pytest runs of the characterisation tests): more than the default per-test limit.
pytestmark = pytest.mark.timeout(900)


def judge(target: Path, checks: str, select: str | None, tmp_path: Path) -> dict[str, tuple]:
    """Run one file of gate checks on target: {check name: (outcome, message)}."""
    report = tmp_path / "checks.xml"
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-c",
        str(REPO / "graders" / "pytest.ini"),
        "--rootdir=" + str(REPO / "graders"),
        "--confcutdir=" + str(REPO / "graders"),
        "-p",
        "pytest_timeout",
        "-q",
        "-o",
        "timeout=600",
        "--target=" + str(target),
        "--junitxml=" + str(report),
        str(CHECKS / checks),
    ]
    if select:
        command += ["-k", select]
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    subprocess.run(command, cwd=REPO, env=env, capture_output=True, timeout=900, check=False)
    found = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        outcome, message = "passed", ""
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                outcome = {"failure": "failed", "error": "error", "skipped": "skipped"}[child.tag]
                message = (child.get("message") or "") + (child.text or "")
        found[case.get("name")] = (outcome, message)
    return found


def outcomes(found: dict[str, tuple]) -> dict[str, str]:
    return {name: outcome for name, (outcome, _) in found.items()}


# -- R1: the design document ---------------------------------------------------------------
def test_ascii_diagram_and_bottleneck_subheadings_pass(tmp_path):
    target = overlays.design_only(tmp_path, "ascii_subheadings.md")
    found = judge(target, "test_r1_design.py", None, tmp_path)
    assert set(outcomes(found).values()) == {"passed"}, found


@pytest.mark.parametrize(
    ("document", "words"),
    [
        ("lorem_headings.md", "English prose"),
        ("see_above.md", "trade-offs of 'Bottleneck 1"),
    ],
)
def test_headings_without_substance_are_flagged_for_a_reviewer(tmp_path, document, words):
    target = overlays.design_only(tmp_path, document)
    found = judge(target, "test_r1_design.py", None, tmp_path)
    substance = found["test_the_document_has_substance_a_program_can_see"]
    assert substance[0] == "failed" and words in substance[1], found
    assert "human reviewer" in substance[1]
    structure = {k: v for k, v in outcomes(found).items() if "substance" not in k}
    assert set(structure.values()) == {"passed"}, found  # the headings alone are all there


# -- R2: logging ----------------------------------------------------------------------------
def test_user_id_as_text_passes(tmp_path):
    found = judge(overlays.string_user_id(tmp_path), "test_r2_logging.py", None, tmp_path)
    assert set(outcomes(found).values()) == {"passed"}, found


def test_server_errors_that_leave_no_log_line_fail(tmp_path):
    found = judge(overlays.server_errors_unlogged(tmp_path), "test_r2_logging.py", None, tmp_path)
    failed = {name for name, outcome in outcomes(found).items() if outcome == "failed"}
    assert "test_failing_requests_are_logged_too" in failed, found
    assert "0 lines with a status field" in found["test_failing_requests_are_logged_too"][1]


# -- R3: the listing ------------------------------------------------------------------------
def test_a_never_expiring_cache_over_a_slow_listing_fails(tmp_path):
    found = judge(overlays.disk_cache(tmp_path), "test_r3_performance.py", None, tmp_path)
    correct = found["test_each_listing_returns_the_right_tasks_in_order"]
    assert correct[0] == "failed" and "before round 2" in correct[1], found


# -- R4: the legacy rescue ------------------------------------------------------------------
def test_refactor_renamed_split_and_configured_from_a_file_passes(tmp_path):
    found = judge(overlays.reporting_split(tmp_path), "test_r4_legacy.py", None, tmp_path)
    assert set(outcomes(found).values()) == {"passed"}, found


def test_a_subclass_of_the_legacy_class_fails(tmp_path):
    select = "behaves_like or split_into"
    found = judge(overlays.subclassed(tmp_path), "test_r4_legacy.py", select, tmp_path)
    behaves = found["test_the_refactor_behaves_like_the_legacy_module"]
    assert behaves[0] == "failed" and "OperationalError" in behaves[1], found
    split = found["test_the_refactor_is_split_into_modules"]
    assert split[0] == "failed" and "reports_before" in split[1], found


def test_a_behaviour_change_no_test_looks_at_fails(tmp_path):
    select = "behaves_like or pass_on_both"
    found = judge(overlays.unwatched_change(tmp_path), "test_r4_legacy.py", select, tmp_path)
    assert found["test_characterisation_tests_pass_on_both_versions"][0] == "passed", found
    behaves = found["test_the_refactor_behaves_like_the_legacy_module"]
    assert behaves[0] == "failed" and "unknown action" in behaves[1], found


def test_tests_aimed_at_the_announced_changes_and_empty_tests_fail(tmp_path):
    select = "pass_on_both or checks_something or notice"
    found = judge(overlays.targeted_tests(tmp_path), "test_r4_legacy.py", select, tmp_path)
    assert found["test_characterisation_tests_pass_on_both_versions"][0] == "passed", found
    assert found["test_each_test_checks_something"][0] == "failed", found
    assert found["test_the_tests_notice_changed_behaviour"][0] == "failed", found
