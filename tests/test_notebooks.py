"""Run every chapter notebook headless in a real Jupyter kernel and report each one's run time."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import sys
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="notebook extras not installed")
nbclient = pytest.importorskip("nbclient", reason="notebook extras not installed")
pytest.importorskip("jupytext", reason="notebook extras not installed")
pytest.importorskip("ipykernel", reason="notebook extras not installed")

from nbclient.exceptions import CellExecutionError, CellTimeoutError  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
CELL_TIMEOUT = 30  # seconds for any single cell
NOTEBOOK_TIMEOUT = 60  # seconds for one whole notebook, kernel start included
TARGET_SECONDS = 8  # the budget each notebook is written to; reported, not enforced

_TIMINGS: dict[str, float] = {}
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


def _load_build_module():
    spec = importlib.util.spec_from_file_location("notebooks_build", NOTEBOOKS_DIR / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _load_build_module()
SOURCES = build.sources(NOTEBOOKS_DIR)


def _kernel_env(course_root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["COURSE_ROOT"] = str(course_root)  # notebooks find exercises/ through this
    # In JupyterLab the kernel starts in notebooks/ and imports course_helpers from there;
    # here it starts in a temporary folder, so point it at the helpers explicitly.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(NOTEBOOKS_DIR), env.get("PYTHONPATH")]))
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # silences debugpy's frozen-modules notice
    env.pop("MPLBACKEND", None)  # let ipykernel pick its inline backend, as in JupyterLab
    return env


def _plain(text: str) -> str:
    """Text without the terminal colour codes IPython puts in tracebacks."""
    return ANSI_ESCAPE.sub("", text)


def _failed_cell(notebook) -> str:
    """Position of the first cell whose outputs hold an error, counted as in JupyterLab."""
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code" and any(
            out.get("output_type") == "error" for out in cell.get("outputs", [])
        ):
            return f"#{index + 1}"
    return "(not identified)"


def _stderr_warnings(notebook) -> list[str]:
    """Lines that Python's warnings machinery printed from any cell."""
    lines = []
    for cell in notebook.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                lines += [line for line in out.get("text", "").splitlines() if "Warning:" in line]
    return lines


class _TimingSummary:
    """A plugin registered at run time so the times appear in pytest's final summary."""

    def pytest_terminal_summary(self, terminalreporter):
        if not _TIMINGS:
            return
        terminalreporter.section("notebook execution times (kernel start included)")
        for name, seconds in _TIMINGS.items():
            flag = "" if seconds < TARGET_SECONDS else f"  (over the {TARGET_SECONDS} s target)"
            terminalreporter.write_line(f"{name:<46} {seconds:6.2f} s{flag}")
        terminalreporter.write_line(f"{'total':<46} {sum(_TIMINGS.values()):6.2f} s")


@pytest.fixture(scope="module", autouse=True)
def timing_summary(request):
    """Arrange for each notebook's execution time to be printed at the end of the run."""
    plugin_name = "notebook-timing-summary"
    if not request.config.pluginmanager.has_plugin(plugin_name):
        request.config.pluginmanager.register(_TimingSummary(), plugin_name)


def test_every_chapter_has_a_valid_notebook_source():
    assert build.check(NOTEBOOKS_DIR) == []


def _run(source: Path, workdir: Path, course_root: Path, label: str, answers=None):
    """Execute one notebook; return it with outputs, or fail the test with the cell's source.

    `answers` maps learner-cell ids to the source that replaces the cell (instructors' answers).
    """
    notebook = build.build_notebook(source)
    for cell in build.learner_cells(notebook):
        if answers is not None:
            cell.source = answers[cell.metadata["answer"]]["source"].strip("\n")
    client = nbclient.NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(workdir)}},  # the kernel's working directory
    )
    started = time.perf_counter()
    failure = None
    try:
        client.execute(env=_kernel_env(course_root))
    except CellTimeoutError as exc:
        failure = f"{source.name}: a cell ran longer than {CELL_TIMEOUT} s\n{_plain(str(exc))}"
    except CellExecutionError as exc:
        # str(exc) already holds the failing cell's source followed by its traceback
        failure = (
            f"{source.name}: cell {_failed_cell(notebook)} raised {exc.ename}: "
            f"{exc.evalue}\n{_plain(str(exc))}"
        )
    _TIMINGS[label] = time.perf_counter() - started
    if failure:  # raised outside the except blocks, so pytest shows one clean message
        pytest.fail(failure, pytrace=False)
    return notebook


def _text_output(notebook) -> str:
    return "".join(
        out.get("text", "")
        for cell in notebook.cells
        for out in cell.get("outputs", [])
        if out.get("output_type") == "stream"
    )


@pytest.mark.timeout(NOTEBOOK_TIMEOUT)
@pytest.mark.parametrize("source", SOURCES, ids=[p.stem for p in SOURCES])
def test_notebook_runs_clean(source, tmp_path, record_property):
    notebook = _run(source, tmp_path, REPO_ROOT, source.name)
    record_property("execution_seconds", round(_TIMINGS[source.name], 2))

    warnings_seen = _stderr_warnings(notebook)
    assert not warnings_seen, f"{source.name} printed warnings:\n" + "\n".join(warnings_seen)
    if "matplotlib" in "".join(c.source for c in notebook.cells):
        images = [
            out
            for cell in notebook.cells
            for out in cell.get("outputs", [])
            if "image/png" in out.get("data", {})
        ]
        assert images, f"{source.name} imports matplotlib but displayed no figure"
    # Untouched, as a learner who runs everything without writing anything: the notebook got
    # to the end (above), and each learner cell's check said "not done yet", nothing worse.
    verdicts = _verdicts(notebook)
    learner = len(build.learner_cells(notebook))
    assert verdicts.count("Not done yet:") == learner, verdicts
    assert "Not quite:" not in verdicts and "Right:" not in verdicts, verdicts


ANSWERS_FILE = REPO_ROOT / "tests" / "notebook_answers.toml"
CHECK_VERDICTS = ("Right:", "checks pass", "Not quite:", "Not done yet:")


def _answers() -> dict:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    return tomllib.loads(ANSWERS_FILE.read_text(encoding="utf-8"))


def _verdicts(notebook) -> list[str]:
    """What each check cell said, as its first verdict word(s)."""
    found = []
    for line in _text_output(notebook).splitlines():
        for verdict in CHECK_VERDICTS:
            if line.startswith(verdict) or (verdict == "checks pass" and verdict in line):
                found.append(verdict)
    return found


def test_every_learner_cell_has_an_answer_and_every_answer_a_cell():
    ids = {
        cell.metadata["answer"]
        for source in SOURCES
        for cell in build.learner_cells(build.build_notebook(source))
    }
    assert ids == set(_answers()), (
        f"cells without an answer: {sorted(ids - set(_answers()))}; "
        f"answers without a cell: {sorted(set(_answers()) - ids)}"
    )


@pytest.mark.timeout(NOTEBOOK_TIMEOUT)
@pytest.mark.parametrize("source", SOURCES, ids=[p.stem for p in SOURCES])
def test_answered_learner_cells_all_pass(source, tmp_path):
    """With the instructors' answers in the learner cells, every check says so."""
    notebook = _run(source, tmp_path, REPO_ROOT, f"{source.name} (answered)", answers=_answers())
    verdicts = _verdicts(notebook)
    learner = len(build.learner_cells(notebook))
    assert "Not done yet:" not in verdicts and "Not quite:" not in verdicts, verdicts
    assert verdicts.count("Right:") + verdicts.count("checks pass") == learner, verdicts


USES_EXERCISES = [p for p in SOURCES if "load_exercise(" in p.read_text(encoding="utf-8")]


@pytest.fixture(scope="module")
def finished_course(tmp_path_factory):
    """A course folder whose exercises/ are the reference solutions: a learner who is done."""
    solutions = REPO_ROOT / "solutions"
    if not solutions.is_dir():
        pytest.skip("no solutions/ folder to stand in for finished exercises")
    root = tmp_path_factory.mktemp("finished_course")
    (root / "course.toml").write_text("# stand-in course root for the notebook tests\n")
    shutil.copytree(solutions, root / "exercises")
    return root


@pytest.mark.timeout(NOTEBOOK_TIMEOUT)
@pytest.mark.parametrize("source", USES_EXERCISES, ids=[p.stem for p in USES_EXERCISES])
def test_notebook_uses_finished_exercises(source, tmp_path, finished_course):
    """With every exercise solved, the notebook must run on the learner's code, not its demo."""
    if not any((finished_course / "exercises").glob(f"{source.name[:4]}/*.py")):
        pytest.skip(f"no reference solution for {source.name[:4]} yet")
    notebook = _run(source, tmp_path, finished_course, f"{source.name} (finished exercises)")
    output = _text_output(notebook)
    assert "Loaded your module" in output, output
    assert "YOUR" in output, f"{source.name} fell back to its demo:\n{output}"
