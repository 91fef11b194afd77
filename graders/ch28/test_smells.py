"""Grader for ch28/smells: which smells the learner names at which lines of LEGACY.

The answer key lists every instance of every smell in LEGACY as the set of lines that may
point at it (one line for most; any line of the copy for duplicated code). For each smell,
the learner's lines must find every instance (recall) and name nothing else (precision);
each smell is its own test, so one wrong smell costs only its own points, and naming every
smell at every line fails them all. Task 2 calls ``magic_numbers`` on sources written here.
"""

from __future__ import annotations

import pytest

from graders.harness import GradeFailure, Learner

EXERCISE = "ch28/smells"

# smell -> instances; each instance is the set of LEGACY lines that point at it
KEY: dict[str, list[set[int]]] = {
    "god class": [{7}],
    "long parameter list": [{12}],
    "duplicated code": [{13, 14}, {31, 32}],
    "magic number": [{13}, {31}, {42}, {43}, {45}],
    "feature envy": [{55}],
    "dead code": [{48}],
}
WHY = {
    "god class": "TaskManager stores tasks, sends e-mail, builds reports and formats users",
    "long parameter list": "create_task takes eight parameters besides self",
    "duplicated code": "the title check is written out in create_task and in update_title",
    "magic number": "200 (twice), 86400, 3 and 14 have no names",
    "feature envy": "format_user_badge uses only the user's fields, never self",
    "dead code": "the print after the return can never run",
}
ABSENT = ("long method",)  # in the vocabulary, not in LEGACY: create_task's body is 16 lines


def act_findings(module):
    """FINDINGS as plain data, or what is wrong with its shape."""
    value = getattr(module, "FINDINGS", None)
    if not isinstance(value, dict):
        return {"problem": f"FINDINGS is {type(value).__name__}, not a dict"}
    clean = {}
    for smell, lines in value.items():
        if not isinstance(smell, str):
            return {"problem": f"the key {smell!r} is not a str"}
        try:
            numbers = list(lines)
        except TypeError:
            return {"problem": f"FINDINGS[{smell!r}] is {type(lines).__name__}, not a list"}
        if not all(type(n) is int for n in numbers):
            return {"problem": f"FINDINGS[{smell!r}] = {numbers!r} holds something not an int"}
        clean[smell] = numbers
    return {"findings": clean}


def findings(learner: Learner) -> dict[str, list[int]]:
    record = learner.run(act_findings, call="FINDINGS").value()
    if "problem" in record:
        raise GradeFailure(
            f"Looked at: FINDINGS\nGot:       {record['problem']}\n"
            'Expected: a dict like {"magic number": [3, 9], "dead code": [20]}'
        )
    return record["findings"]


def judge(named: list[int], instances: list[set[int]]) -> tuple[list[set[int]], list[int]]:
    """(instances not found, lines that point at nothing): each instance takes one line."""
    left = [set(instance) for instance in instances]
    wrong = []
    for line in named:
        hit = next((instance for instance in left if line in instance), None)
        if hit is None:
            wrong.append(line)
        else:
            left.remove(hit)
    return left, wrong


# -- task 1: the findings --------------------------------------------------------------------------
@pytest.mark.task(1)
@pytest.mark.parametrize("smell", list(KEY))
def test_each_smell_at_exactly_its_lines(learner, smell):
    """every instance of the smell is named, and no other line is"""
    named = findings(learner).get(smell, [])
    missed, wrong = judge(named, KEY[smell])
    if not missed and not wrong:
        return
    got = f"FINDINGS[{smell!r}] = {named!r}" if named else f"no {smell!r} in FINDINGS"
    problems = []
    if missed:
        problems.append(f"{len(missed)} of {len(KEY[smell])} instance(s) not found")
    if wrong:
        problems.append(f"line(s) {wrong} point at no {smell} (or at one already named)")
    raise GradeFailure(
        f"Looked at: FINDINGS[{smell!r}]\nGot:       {got}\n"
        f"Problem:   {'; '.join(problems)}\n"
        f"Expected: the line(s) the brief says to point at for a {smell}, each instance once"
    )


@pytest.mark.task(1)
def test_names_only_smells_from_the_list_that_are_there(learner):
    """FINDINGS names at least one smell, only from SMELLS, and none that LEGACY does not have"""
    found = findings(learner)
    if not any(found.values()):
        raise GradeFailure(
            "Looked at: FINDINGS\nGot:       no smell named\nExpected: your findings"
        )
    unknown = sorted(set(found) - set(KEY) - set(ABSENT))
    if unknown:
        raise GradeFailure(
            f"Looked at: FINDINGS\nGot:       smell names not in SMELLS: {unknown}\n"
            "Expected: names spelled exactly as in SMELLS"
        )
    absent = [smell for smell in ABSENT if found.get(smell)]
    if absent:
        raise GradeFailure(
            f"Looked at: FINDINGS\nGot:       {absent[0]!r} at lines {found[absent[0]]}\n"
            f"Expected: no {absent[0]!r}: no function in LEGACY has a body over 25 lines"
        )


# -- task 2: magic_numbers -------------------------------------------------------------------------
@pytest.mark.task(2)
def test_magic_numbers_of_legacy(learner):
    """LEGACY's magic numbers: 200, 200, 86400, 3 and 14"""
    record = learner.run(act_magic_legacy, call="magic_numbers(LEGACY)").value()
    if record != {"returned": [13, 31, 42, 43, 45]}:
        raise GradeFailure(
            f"Called:   magic_numbers(LEGACY)\nGot:      {record!r}\nExpected: [13, 31, 42, 43, 45]"
        )


def act_magic_legacy(module):
    from graders.acts import attempt

    return attempt(module.magic_numbers, module.LEGACY)


CASES = [
    pytest.param("x = 0\ny = 1\nz = x + y\n", [], id="zero_and_one_are_not_magic"),
    pytest.param("def f(a):\n    return a * 60\n", [2], id="a_number_in_a_function"),
    pytest.param("r = 2.5\nc = 3j\nn = -7\n", [1, 2, 3], id="floats_complex_and_negatives"),
    pytest.param("ok = True\nno = False\ns = '42'\n", [], id="bools_and_strings_are_not_numbers"),
    pytest.param("x = [7, 7, 8]\ny = 0.0\n", [1], id="each_line_once"),
    pytest.param("TIMEOUT_S = 30\nx = TIMEOUT_S * 2\n", [2], id="a_named_constant_is_not_magic"),
    pytest.param("timeout = 30\n", [1], id="a_lowercase_name_does_not_name_it"),
    pytest.param("LIMITS = (3, 4)\n", [1], id="part_of_a_value_is_still_magic"),
    pytest.param("def f():\n    RETRIES = 5\n    return RETRIES\n", [2], id="only_at_module_level"),
    pytest.param(
        "a = 9\nb = 0\nc = (\n    1,\n    12,\n)\n", [1, 5], id="the_line_of_the_number_itself"
    ),
]


@pytest.mark.task(2)
@pytest.mark.parametrize(("source", "lines"), CASES)
def test_magic_numbers_rules(learner, source, lines):
    """numbers other than 0 and 1, except a module-level CAPITALS = number, by line, once"""
    learner.call("magic_numbers", source).expect(lines)


@pytest.mark.task(2)
def test_magic_numbers_of_invalid_python_raise_syntax_error(learner):
    """source that is not Python raises SyntaxError"""
    learner.call("magic_numbers", "def broken(:\n    return 5\n").expect_raises(SyntaxError)
