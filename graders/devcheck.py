"""Keeps course.toml and the files in step: stubs, solutions, graders, mutants, hints."""

from __future__ import annotations

import ast
from pathlib import Path

from graders.manifest import Course, Exercise
from graders.paths import EXERCISES_DIR, SOLUTIONS_DIR

MIN_MUTANTS = 5


def public_api(path: Path) -> dict[str, str]:
    """Top-level public functions/classes (and methods) mapped to their docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    api: dict[str, str] = {"<module>": ast.get_docstring(tree) or ""}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if node.name.startswith("_"):
                continue
            api[node.name] = ast.get_docstring(node) or ""
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
                        not item.name.startswith("_") or item.name == "__init__"
                    ):
                        api[f"{node.name}.{item.name}"] = ast.get_docstring(item) or ""
    return api


def mutant_files(exercise: Exercise) -> list[Path]:
    if not exercise.mutants_dir.is_dir():
        return []
    return sorted(p for p in exercise.mutants_dir.glob("*.py") if not p.name.startswith("_"))


def check_exercise(exercise: Exercise) -> list[str]:
    """Problems with one exercise's files (empty when all is well)."""
    problems: list[str] = []
    for label, path in (
        ("stub", exercise.stub_file),
        ("solution", exercise.solution_file),
        ("grader", exercise.test_file),
    ):
        if not path.is_file():
            problems.append(f"{exercise.id}: {label} file {path} is missing")
    if problems:
        return problems
    stub_text = exercise.stub_file.read_text(encoding="utf-8")
    if "TODO" not in stub_text or "NotImplementedError" not in stub_text:
        problems.append(f"{exercise.id}: the stub needs TODO markers and raise NotImplementedError")
    stub_api, solution_api = public_api(exercise.stub_file), public_api(exercise.solution_file)
    if stub_api.keys() != solution_api.keys():
        missing = sorted(set(solution_api) ^ set(stub_api))
        problems.append(f"{exercise.id}: stub and solution differ in public names: {missing}")
    else:
        for name, doc in solution_api.items():
            if doc != stub_api[name]:
                problems.append(
                    f"{exercise.id}: docstring of {name} differs between stub and solution"
                )
            if not doc and not name.startswith(("<", "_")) and "." not in name:
                problems.append(f"{exercise.id}: {name} has no docstring")
    mutants = mutant_files(exercise)
    if len(mutants) < MIN_MUTANTS:
        problems.append(f"{exercise.id}: {len(mutants)} mutants, at least {MIN_MUTANTS} needed")
    for mutant in mutants:
        doc = ast.get_docstring(ast.parse(mutant.read_text(encoding="utf-8"))) or ""
        if not doc.startswith("Mutant:"):
            problems.append(
                f"{exercise.id}: {mutant.name} must start with a 'Mutant: ...' docstring"
            )
    return problems


def stray_files(course: Course) -> list[str]:
    """Exercise or solution modules that the manifest does not list."""
    known = {exercise.relative_file for exercise in course.exercises}
    problems = []
    for root in (EXERCISES_DIR, SOLUTIONS_DIR):
        for path in sorted(root.glob("ch*/*.py")):
            relative = path.relative_to(root)
            if relative not in known:
                problems.append(f"{path} is not listed in course.toml")
    return problems


def check_course(course: Course, exercises: list[Exercise]) -> list[str]:
    problems = [p for exercise in exercises for p in check_exercise(exercise)]
    if len(exercises) == len(course.exercises):
        problems += stray_files(course)
    return problems
