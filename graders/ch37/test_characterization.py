"""Grader for ch37/characterization: small functions that reproduce a legacy blob exactly.

The golden master is computed here, in the judge, from the grader's own copy of the legacy
function (``trusted_legacy``): the learner's copy of ``process_task_data`` is never trusted,
since it could be edited.
"""

from __future__ import annotations

import inspect

import pytest
from hypothesis import strategies as st

from graders.acts import attempt
from graders.differential import agree_run
from graders.expectations import show
from graders.harness import GradeFailure, Outcome

EXERCISE = "ch37/characterization"

REQUIRED = {"error": "title is required"}
TOO_LONG = {"error": "title is too long"}
NO_ASSIGNEE = {"error": "assignee is required"}
LONG_TITLE = "Investigate why the nightly export job fails on Mondays"  # 55 characters
assert len(LONG_TITLE) > 50


# -- the golden master: the grader's own, trusted copy of the legacy code ----------
def trusted_legacy(title, assignee, urgent, days_until_due):
    """A verbatim copy of process_task_data as given in the exercise."""
    if title is None or type(title) != str or len(title.strip()) == 0:  # noqa: E721
        return {"error": "title is required"}
    else:
        if len(title) > 100:
            return {"error": "title is too long"}
    if assignee is None or type(assignee) != str or assignee == "":  # noqa: E721
        return {"error": "assignee is required"}
    t = title.strip()
    t = t.upper()
    p = 0
    if urgent:
        p = p + 50
    d = days_until_due
    if d < 0:
        p = p + 54  # overdue!!
    else:
        if d <= 1:
            p = p + 35
        elif d <= 3:
            p = p + 29
        else:
            if d <= 7:
                p = p + 10
    if len(t) > 50:
        p = p - 5  # TF-212: long titles are usually vague
    if p > 100:
        p = 100
    if p < 0:
        p = 0
    lbl = "LOW"
    if p >= 30:
        lbl = "MEDIUM"
    if p >= 50:
        lbl = "HIGH"
    if p >= 80:
        lbl = "CRITICAL"
    result = {}
    result["title"] = t
    result["assignee"] = assignee
    result["priority"] = p
    result["label"] = lbl
    result["summary"] = "[" + lbl + "] " + t + " (" + assignee + ", " + str(p) + ")"
    return result


# -- characterisation cases: every branch and every boundary ----------------------
CASES = {
    "label_boundaries": [
        (LONG_TITLE, "ana", True, 1),  # 80 CRITICAL
        ("Fix login", "ana", True, 2),  # 79 HIGH
        ("Fix login", "ana", True, 30),  # 50 HIGH
        (LONG_TITLE, "ana", False, -1),  # 49 MEDIUM
        (LONG_TITLE, "ana", False, 0),  # 30 MEDIUM
        ("Fix login", "ana", False, 3),  # 29 LOW
        ("Fix login", "ana", True, 0),  # 85 CRITICAL
        ("Fix login", "ana", False, 5),  # 10 LOW
        ("Fix login", "ana", True, 6),  # 60 HIGH
    ],
    "days_until_due_edges": [
        ("Ship v2", "bo", urgent, days)
        for urgent in (False, True)
        for days in (-365, -1, 0, 1, 2, 3, 4, 7, 8, 1000)
    ],
    "clamp": [
        (LONG_TITLE, "ana", False, 8),  # -5 -> 0
        (LONG_TITLE, "ana", False, 400),  # -5 -> 0
        ("Fix login", "ana", True, -1),  # 104 -> 100
        ("Fix login", "ana", True, -30),  # 104 -> 100
        (LONG_TITLE, "ana", True, -1),  # 99, not clamped
    ],
    "title_lengths": [
        ("a" * 100, "ana", False, 2),  # the limit itself is fine
        ("a" * 101, "ana", False, 2),  # one over
        ("a" * 99 + " ", "ana", False, 2),  # 100 as given
        ("  " + "a" * 99, "ana", False, 2),  # 101 as given, 99 once stripped
        ("a" * 50, "ana", True, 1),  # 50: no penalty
        ("a" * 51, "ana", True, 1),  # 51: penalty
        (" " + "a" * 50 + " ", "ana", True, 1),  # 52 as given, 50 once stripped
        ("\t" + "b" * 51 + "\n", "ana", True, 1),
        ("ß" * 25, "ana", False, 0),  # upper-cases to 50 characters
        ("ß" * 26, "ana", False, 0),  # upper-cases to 52 characters: penalty
        ("ß" * 60, "ana", False, 0),
    ],
    "whitespace": [
        ("  fix login page ", "ana", True, 2),
        ("\tfix login\n", "ana", False, 1),
        ("fix   login", "ana", False, 1),  # inner spaces stay
        (" ", "ana", False, 1),
        ("", "ana", False, 1),
        ("\n\t  ", "ana", False, 1),
        (" " * 101, "ana", False, 1),  # blank AND too long: blank wins
        ("Fix login", "  ", False, 1),  # spaces-only assignee is accepted
        ("Fix login", " ana ", False, 1),  # and kept as it is
    ],
    "non_string_inputs": [
        (None, "ana", False, 1),
        (42, "ana", False, 1),
        (3.5, "ana", False, 1),
        (["Fix login"], "ana", False, 1),
        (True, "ana", False, 1),
        ("Fix login", None, False, 1),
        ("Fix login", 7, False, 1),
        ("Fix login", ["ana"], False, 1),
        ("Fix login", "", False, 1),
        (None, None, False, 1),  # title is checked first
        ("a" * 101, None, False, 1),
        ("", "", True, -1),
    ],
    "case_and_accents": [
        ("Fix Login", "Ana", False, 1),
        ("café crème", "zoë", True, 4),
        ("straße", "jürgen", False, 9),
        ("already UPPER", "ana", False, -2),
    ],
}


# -- acts: run inside the sandbox, next to the learner's code ----------------------
def _forbidden(*args, **kwargs):
    raise AssertionError("process_task_refactored must not call process_task_data")


def act_refactored(module, cases):
    """Call process_task_refactored on every case, with the legacy function unplugged."""
    module.process_task_data = _forbidden
    return [attempt(module.process_task_refactored, *case) for case in cases]


def _recording(module, name, calls):
    original = getattr(module, name)
    signature = inspect.signature(original)

    def wrapper(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        calls.append([name, list(bound.args)])
        return original(*args, **kwargs)

    setattr(module, name, wrapper)


def act_spy_on_steps(module, case):
    """Wrap the three small functions to record how process_task_refactored calls them."""
    calls: list = []
    for name in ("validate_task", "calculate_priority", "format_task_summary"):
        _recording(module, name, calls)
    module.process_task_data = _forbidden
    record = attempt(module.process_task_refactored, *case)
    return {"record": record, "calls": calls}


def act_seams(module, case, validation):
    """Replace the three functions with fakes; the refactor must return what they say."""
    signature = inspect.signature(module.format_task_summary)
    module.validate_task = lambda *a, **k: validation
    module.calculate_priority = lambda *a, **k: 42
    module.format_task_summary = lambda *a, **k: {"formatted": list(signature.bind(*a, **k).args)}
    module.process_task_data = _forbidden
    return attempt(module.process_task_refactored, *case)


class LegacyText(str):
    """A str subclass: the legacy ``type(x) != str`` refuses it, ``isinstance`` would not."""


def sub(text: str) -> dict[str, str]:
    """An argument that the act turns into ``LegacyText(text)`` (cases travel as plain data)."""
    return {"str subclass": text}


def build(value):
    """Turn the ``sub(...)`` marker back into a LegacyText; every other value is as it is."""
    if isinstance(value, dict) and set(value) == {"str subclass"}:
        return LegacyText(value["str subclass"])
    return value


def plain(value):
    """Bring returned str subclasses back to str so that the reply can be sent as data."""
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items()}
    if isinstance(value, str) and type(value) is not str:
        return str(value)
    return value


def act_call_each(module, name, cases):
    """Call ``name`` on every case (str subclasses built here), the legacy function unplugged."""
    module.process_task_data = _forbidden
    records = []
    for case in cases:
        record = attempt(getattr(module, name), *[build(arg) for arg in case])
        if "returned" in record:
            record["returned"] = plain(record["returned"])
        records.append(record)
    return records


def describe(name: str, args: tuple) -> str:
    shown = []
    for arg in args:
        built = build(arg)
        shown.append(f"LegacyText({str(built)!r})" if built is not arg else show(arg))
    return f"{name}({', '.join(shown)})"


def judge_each(learner, name: str, cases: list, expected: list, note_of, what: str) -> None:
    """Run ``name`` on all cases in one sandbox call; fail on the first case that differs."""
    call = f"{name}(...) on {len(cases)} {what}"
    records = learner.run(act_call_each, name, cases, call=call).value("a result for every case")
    for case, record, wanted in zip(cases, records, expected, strict=True):
        Outcome.from_attempt(describe(name, case), record).expect(wanted, note=note_of(case))


# -- task 1 --------------------------------------------------------------------------
VALIDATION = {
    "valid": [
        (("Fix login", "ana"), None),
        (("  Fix login  ", "ana"), None),
        (("Fix login", "  "), None),
        (("a" * 100, "ana"), None),
        (("a" * 99 + " ", "ana"), None),
    ],
    "missing_title": [
        ((None, "ana"), REQUIRED),
        ((42, "ana"), REQUIRED),
        ((["Fix"], "ana"), REQUIRED),
        (("", "ana"), REQUIRED),
        (("   ", "ana"), REQUIRED),
        (("\t\n", "ana"), REQUIRED),
    ],
    "title_too_long": [
        (("a" * 101, "ana"), TOO_LONG),
        (("  " + "a" * 99, "ana"), TOO_LONG),
        (("x" * 500, "ana"), TOO_LONG),
    ],
    "missing_assignee": [
        (("Fix login", None), NO_ASSIGNEE),
        (("Fix login", 7), NO_ASSIGNEE),
        (("Fix login", ""), NO_ASSIGNEE),
    ],
    "title_checked_first": [
        ((None, None), REQUIRED),
        (("", ""), REQUIRED),
        ((" " * 101, "ana"), REQUIRED),
        (("a" * 101, None), TOO_LONG),
    ],
}


@pytest.mark.task(1)
@pytest.mark.parametrize("group", list(VALIDATION))
def test_validate_task(learner, group):
    """validate_task returns None or the first problem as {'error': ...}"""
    for args, expected in VALIDATION[group]:
        learner.call("validate_task", *args).expect(expected)


SUBCLASS_VALIDATION = [
    ((sub("Fix login"), "ana"), REQUIRED),
    ((sub("   "), "ana"), REQUIRED),
    ((sub("a" * 101), "ana"), REQUIRED),
    (("Fix login", sub("ana")), NO_ASSIGNEE),
    (("Fix login", sub("  ")), NO_ASSIGNEE),
    (("a" * 101, sub("ana")), TOO_LONG),
]


@pytest.mark.task(1)
def test_validate_task_refuses_str_subclasses(learner):
    """validate_task treats a str subclass as "not a str", exactly as type(x) != str does"""
    judge_each(
        learner,
        "validate_task",
        [case for case, _ in SUBCLASS_VALIDATION],
        [wanted for _, wanted in SUBCLASS_VALIDATION],
        lambda case: (
            "LegacyText is a str subclass, which the legacy type(x) != str refuses; "
            "isinstance(x, str) would let it through"
        ),
        "str subclass cases",
    )


# -- task 2 --------------------------------------------------------------------------
PRIORITY = {
    "due_date_ranges": [
        ((False, -100, 10), 54),
        ((False, -1, 10), 54),
        ((False, 0, 10), 35),
        ((False, 1, 10), 35),
        ((False, 2, 10), 29),
        ((False, 3, 10), 29),
        ((False, 4, 10), 10),
        ((False, 7, 10), 10),
        ((False, 8, 10), 0),
        ((False, 90, 10), 0),
    ],
    "urgent_bonus": [
        ((True, 8, 10), 50),
        ((True, 2, 10), 79),
        ((True, 5, 10), 60),
        ((True, 1, 10), 85),
    ],
    "long_title_penalty": [
        ((False, 1, 50), 35),
        ((False, 1, 51), 30),
        ((True, 2, 51), 74),
        ((False, 2, 200), 24),
        ((True, 1, 0), 85),
    ],
    "clamp": [
        ((False, 8, 51), 0),
        ((False, 30, 80), 0),
        ((True, -1, 10), 100),
        ((True, -5, 50), 100),
        ((True, -1, 51), 99),
    ],
}


@pytest.mark.task(2)
@pytest.mark.parametrize("group", list(PRIORITY))
def test_calculate_priority(learner, group):
    """calculate_priority(urgent, days_until_due, title_length) gives the documented score"""
    for args, expected in PRIORITY[group]:
        learner.call("calculate_priority", *args).expect(expected)


PRIORITY_GRID = [
    (urgent, days, length)
    for urgent in (False, True)
    for days in [-1000, *range(-3, 11), 1000]
    for length in (1, 49, 50, 51, 52, 100)
]


@pytest.mark.task(2)
def test_calculate_priority_on_every_grid_point(learner):
    """calculate_priority agrees with the legacy score for every urgency, due date and length"""
    judge_each(
        learner,
        "calculate_priority",
        PRIORITY_GRID,
        [
            trusted_legacy("a" * n, "ana", urgent, days)["priority"]
            for urgent, days, n in PRIORITY_GRID
        ],
        lambda case: (
            f"the legacy code gives this priority to a {case[2]}-character title "
            f"(urgent={case[0]}, days_until_due={case[1]})"
        ),
        "urgency x days x title-length cases",
    )


# -- task 3 --------------------------------------------------------------------------
@pytest.mark.task(3)
@pytest.mark.parametrize(
    "priority,label",
    [
        (0, "LOW"),
        (29, "LOW"),
        (30, "MEDIUM"),
        (49, "MEDIUM"),
        (50, "HIGH"),
        (79, "HIGH"),
        (80, "CRITICAL"),
        (100, "CRITICAL"),
    ],
)
def test_format_label_boundaries(learner, priority, label):
    """format_task_summary picks the label by priority, boundaries included"""
    expected = {
        "title": "FIX LOGIN",
        "assignee": "ana",
        "priority": priority,
        "label": label,
        "summary": f"[{label}] FIX LOGIN (ana, {priority})",
    }
    learner.call("format_task_summary", "FIX LOGIN", "ana", priority).expect(expected)


@pytest.mark.task(3)
def test_format_keeps_its_inputs_as_given(learner):
    """format_task_summary formats the title and assignee it gets, without changing them"""
    expected = {
        "title": "Weekly sync notes",
        "assignee": " bo ",
        "priority": 55,
        "label": "HIGH",
        "summary": "[HIGH] Weekly sync notes ( bo , 55)",
    }
    learner.call("format_task_summary", "Weekly sync notes", " bo ", 55).expect(
        expected, note="cleaning the title is process_task_refactored's job, not this one's"
    )


# -- task 4 --------------------------------------------------------------------------
@pytest.mark.task(4)
@pytest.mark.parametrize("group", list(CASES))
def test_refactor_matches_the_legacy_code(learner, group):
    """process_task_refactored returns exactly what the legacy process_task_data returns"""
    cases = CASES[group]
    call = f"process_task_refactored(...) on {len(cases)} {group.replace('_', ' ')} cases"
    records = learner.run(act_refactored, cases, call=call).value("a result for every case")
    for case, record in zip(cases, records, strict=False):
        golden = trusted_legacy(*case)
        Outcome.from_attempt(describe("process_task_refactored", case), record).expect(
            golden, note=f"the legacy code returns this: {describe('process_task_data', case)}"
        )


@pytest.mark.task(4)
def test_refactor_calls_the_three_steps(learner):
    """process_task_refactored validates, cleans, scores and formats by calling your functions"""
    case = ("  fix login page ", "ana", True, 2)
    call = describe("process_task_refactored", case)
    result = learner.run(act_spy_on_steps, case, call=call).value()
    Outcome.from_attempt(call, result["record"]).expect(trusted_legacy(*case))
    expected = [
        ["validate_task", ["  fix login page ", "ana"]],
        ["calculate_priority", [True, 2, 14]],
        ["format_task_summary", ["FIX LOGIN PAGE", "ana", 79]],
    ]
    seen = result["calls"]
    missing = [c for c in expected if c not in seen]
    if missing:
        raise GradeFailure(
            f"Called:   {call}\nGot:      these calls to the helpers: {show(seen)}\n"
            f"Expected: among them {show(missing)}\n"
            "Why:      the refactor is built from the small functions: validate the raw input, "
            "score with the length of the cleaned title, format the cleaned title"
        )


@pytest.mark.task(4)
@pytest.mark.parametrize(
    "validation", [None, {"error": "from validate_task"}], ids=["valid", "invalid"]
)
def test_refactor_returns_what_its_steps_return(learner, validation):
    """with the three functions replaced by fakes, the refactor passes their answers along"""
    case = ("  Fix Login ", "ana", False, 10)
    call = (
        f"validate_task = fake returning {show(validation)}; calculate_priority = fake "
        "returning 42; format_task_summary = fake; " + describe("process_task_refactored", case)
    )
    record = learner.run(act_seams, case, validation, call=call).value()
    if validation is None:
        expected = {"formatted": ["FIX LOGIN", "ana", 42]}
        note = "return what format_task_summary(clean title, assignee, priority) returns"
    else:
        expected = validation
        note = "when validate_task reports a problem, return its dict as it is"
    Outcome.from_attempt(call, record).expect(expected, note=note)


# -- task 4: differential, Hypothesis-generated inputs against the legacy code ----------
def act_refactor_one(module, case):
    """process_task_refactored on one generated case (str subclasses built here)."""
    module.process_task_data = _forbidden
    return plain(module.process_task_refactored(*[build(arg) for arg in case]))


def legacy_answer(case):
    return plain(trusted_legacy(*[build(arg) for arg in case]))


_TEXT = st.text(alphabet=" \t\nabzßéÜ", max_size=8)
_LONG = st.builds(
    lambda left, char, count, right: left + char * count + right,
    st.sampled_from(["", " ", "  ", "\t"]),
    st.sampled_from(["a", "ß", "é", " "]),
    st.integers(0, 103),
    st.sampled_from(["", " ", "\n"]),
)
_TITLES = st.one_of(
    _TEXT,
    _LONG,
    _LONG.map(sub),
    _TEXT.map(sub),
    st.none(),
    st.integers(-5, 5),
    st.booleans(),
    st.lists(st.just("fix"), max_size=1),
)
_ASSIGNEES = st.one_of(
    st.sampled_from(["ana", "", " ", " bo ", "zoë"]),
    st.sampled_from(["ana", ""]).map(sub),
    st.none(),
    st.integers(0, 9),
)
CASES_STRATEGY = st.tuples(
    _TITLES,
    _ASSIGNEES,
    st.booleans(),
    st.one_of(st.integers(-10, 12), st.sampled_from([-1000, 1000])),
)


@pytest.mark.task(4)
def test_refactor_matches_the_legacy_code_on_generated_inputs(learner):
    """process_task_refactored returns what the legacy code returns on 200 generated inputs"""
    agree_run(
        learner,
        act_refactor_one,
        legacy_answer,
        CASES_STRATEGY,
        describe=lambda case: describe("process_task_refactored", case),
        max_examples=200,
        note="the legacy process_task_data returns the expected value for this input (the "
        "smallest generated input on which the two differ)",
    )
