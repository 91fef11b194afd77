"""Grader for ch28/command_undo: commands that undo exactly what they did, and a history."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from graders.acts import attempt
from graders.expectations import same, show
from graders.harness import GradeFailure, Learner, Outcome

EXERCISE = "ch28/command_undo"


def task(task_id: Any, title: str, done: bool = False) -> dict[str, Any]:
    return {"id": task_id, "title": title, "done": done}


REPORT = task(1, "Write the report")
MILK = task(2, "Buy milk", True)
CALL = task(3, "Call the bank")


# -- acts: run inside the sandbox, next to the learner's code ----------------------
class _SpyCommand:
    """A command the grader wrote: it only logs its calls (and may refuse to run)."""

    def __init__(self, name, log, fails):
        self.name, self.log, self.fails = name, log, fails

    def execute(self):
        if self.fails:
            raise RuntimeError(f"{self.name} cannot run")
        self.log.append(f"execute {self.name}")

    def undo(self):
        self.log.append(f"undo {self.name}")


def act_scenario(module, initial, steps):
    """Run the steps on one TaskList and one CommandHistory; report after every step."""
    tasks = module.TaskList()
    tasks.tasks = copy.deepcopy(initial)
    commands: dict[str, Any] = {}
    log: list[str] = []
    history = None
    results = []
    for step in steps:
        kind, *args = step
        if kind == "new":
            name, class_name, *params = args
            record = attempt(getattr(module, class_name), tasks, *params)
            if "returned" in record:
                commands[name] = record["returned"]
                record = {"returned": None}
        elif kind == "spy":
            name, fails = args
            commands[name] = _SpyCommand(name, log, fails)
            record = {"returned": None}
        elif kind in ("execute", "undo"):
            record = attempt(getattr(commands[args[0]], kind))
        else:
            if history is None:
                made = attempt(module.CommandHistory)
                if "raised" in made:
                    results.append(
                        {"record": made, "tasks": copy.deepcopy(tasks.tasks), "log": list(log)}
                    )
                    return results
                history = made["returned"]
            if kind == "h.execute":
                record = attempt(history.execute, commands[args[0]])
            else:
                record = attempt(getattr(history, kind[2:]))
        results.append({"record": record, "tasks": copy.deepcopy(tasks.tasks), "log": list(log)})
        if kind == "new" and "raised" in record:
            return results
    return results


def act_two_histories(module):
    """Fill one history, then ask a brand-new one to undo and redo."""
    log: list[str] = []
    first = module.CommandHistory()
    records = []
    for label, call in [
        ("first.execute(a)", lambda: first.execute(_SpyCommand("a", log, False))),
        ("first.execute(b)", lambda: first.execute(_SpyCommand("b", log, False))),
        ("first.undo_last()", first.undo_last),
    ]:
        records.append((label, attempt(call)))
    second = module.CommandHistory()
    answers = [attempt(second.undo_last), attempt(second.redo_last)]
    second_results = [a.get("returned", f"raised {a.get('raised')}") for a in answers]
    return {"records": records, "second": second_results, "log": list(log)}


# -- the judge: describe steps, run them, check each one ----------------------------
SAME = "unchanged"


def describe(step: tuple) -> str:
    kind, *args = step
    if kind == "new":
        name, class_name, *params = args
        return f"{name} = {class_name}(tasks, {', '.join(show(p) for p in params)})"
    if kind == "spy":
        return f"{args[0]} = SpyCommand({args[0]!r}{', failing' if args[1] else ''})"
    if kind in ("execute", "undo"):
        return f"{args[0]}.{kind}()"
    if kind == "h.execute":
        return f"history.execute({args[0]})"
    return f"history.{kind[2:]}()"


def play(learner: Learner, initial: list[dict], script: list[tuple], why: str = "") -> None:
    """script: (step, expected return or exception class, expected tasks after or SAME/None).

    Each step is checked in turn; the message shows every call so far, and ``why``.
    """
    steps = [entry[0] for entry in script]
    start = f"tasks = TaskList() holding {show(initial)}"
    if any(s[0].startswith("h.") for s in steps):
        start += "; history = CommandHistory()"
    calls = "; ".join([start] + [describe(s) for s in steps])
    results = learner.run(act_scenario, initial, steps, call=calls).value("the steps to run")
    history = start
    before = initial
    for (step, returns, after), result in zip(script, results, strict=False):
        history += "\n          " + describe(step)
        outcome = Outcome.from_attempt(history, result["record"])
        refused = isinstance(returns, type) and issubclass(returns, BaseException)
        if refused:
            outcome.expect_raises(returns, note=why)
        else:
            outcome.expect(returns, note=why)
        wanted = before if after == SAME else after
        if wanted is not None and not same(result["tasks"], wanted):
            raise GradeFailure(
                f"Called:   {history}\nThen:     tasks.tasks is {show(result['tasks'])}\n"
                f"Expected: {show(wanted)}"
                + (f"\nWhy:      {why}" if why else "")
                + (
                    "\nWhy:      a command that cannot run must change nothing"
                    if after == SAME and refused
                    else ""
                )
            )
        before = result["tasks"]
    if len(results) < len(script):  # a constructor raised: report it
        step = script[len(results) - 1][0]
        Outcome.from_attempt(describe(step), results[-1]["record"]).value()


def play_log(learner: Learner, script: list[tuple], why: str = "") -> None:
    """Like play, for spy commands: check returns and the log of calls the spies received."""
    steps = [entry[0] for entry in script]
    start = "history = CommandHistory()"
    calls = "; ".join([start] + [describe(s) for s in steps])
    results = learner.run(act_scenario, [], steps, call=calls).value("the steps to run")
    history = start
    for (step, returns, log), result in zip(script, results, strict=False):
        history += "\n          " + describe(step)
        outcome = Outcome.from_attempt(history, result["record"])
        if isinstance(returns, type) and issubclass(returns, BaseException):
            outcome.expect_raises(returns, note="the history lets the command's error through")
        else:
            outcome.expect(returns, note=why)
        if not same(result["log"], log):
            raise GradeFailure(
                f"Called:   {history}\nThen:     the commands received {show(result['log'])}\n"
                f"Expected: {show(log)}\n"
                "Why:      the history calls execute() and undo() of whatever object it is given, "
                "once each, most recent first"
            )


# -- task 1 --------------------------------------------------------------------------
@pytest.mark.task(1)
def test_add_appends_a_new_task(learner):
    """AddTask.execute appends {'id', 'title', 'done': False} at the end"""
    play(
        learner,
        [REPORT],
        [
            (("new", "add", "AddTask", 2, "Buy milk"), None, SAME),
            (("execute", "add"), None, [REPORT, task(2, "Buy milk")]),
        ],
    )


@pytest.mark.task(1)
def test_add_undo_removes_the_task(learner):
    """AddTask.undo removes the task it added; execute again adds it again"""
    play(
        learner,
        [REPORT, CALL],
        [
            (("new", "add", "AddTask", 2, "Buy milk"), None, SAME),
            (("execute", "add"), None, [REPORT, CALL, task(2, "Buy milk")]),
            (("undo", "add"), None, [REPORT, CALL]),
            (("execute", "add"), None, [REPORT, CALL, task(2, "Buy milk")]),
        ],
    )


@pytest.mark.task(1)
def test_add_refuses_a_duplicate_id(learner):
    """AddTask with an id already in the list raises ValueError and changes nothing"""
    play(
        learner,
        [REPORT, MILK],
        [
            (("new", "add", "AddTask", 2, "Another task 2"), None, SAME),
            (("execute", "add"), ValueError, SAME),
        ],
    )


@pytest.mark.task(1)
def test_remove_takes_the_task_out(learner):
    """RemoveTask.execute removes the task and keeps the others in order"""
    play(
        learner,
        [REPORT, MILK, CALL],
        [
            (("new", "rm", "RemoveTask", 2), None, SAME),
            (("execute", "rm"), None, [REPORT, CALL]),
        ],
    )


@pytest.mark.task(1)
@pytest.mark.parametrize("task_id", [1, 2, 3], ids=["first", "middle", "last"])
def test_remove_undo_puts_the_task_back_in_place(learner, task_id):
    """RemoveTask.undo puts the same task back at the same position"""
    play(
        learner,
        [REPORT, MILK, CALL],
        [
            (("new", "rm", "RemoveTask", task_id), None, SAME),
            (("execute", "rm"), None, [t for t in (REPORT, MILK, CALL) if t["id"] != task_id]),
            (("undo", "rm"), None, [REPORT, MILK, CALL]),
        ],
        why="remember the index in execute and insert the task back there",
    )


@pytest.mark.task(1)
def test_remove_missing_task_raises_key_error(learner):
    """RemoveTask for an id that is not there raises KeyError and changes nothing"""
    play(
        learner,
        [REPORT, MILK],
        [
            (("new", "rm", "RemoveTask", 99), None, SAME),
            (("execute", "rm"), KeyError, SAME),
        ],
    )


@pytest.mark.task(1)
def test_remove_records_position_when_it_runs(learner):
    """RemoveTask remembers where the task was when execute ran, not when it was built"""
    play(
        learner,
        [REPORT, MILK, CALL],
        [
            (("new", "rm", "RemoveTask", 3), None, SAME),
            (("new", "rm_first", "RemoveTask", 1), None, SAME),
            (("execute", "rm_first"), None, [MILK, CALL]),
            (("execute", "rm"), None, [MILK]),
            (("undo", "rm"), None, [MILK, CALL]),
            (("undo", "rm_first"), None, [REPORT, MILK, CALL]),
        ],
        why="find the position in execute(): the list may change before the command runs",
    )


@pytest.mark.task(1)
def test_add_undo_removes_its_own_task(learner):
    """AddTask.undo removes the task that command added, even when it is not the last one"""
    play(
        learner,
        [REPORT],
        [
            (("new", "milk", "AddTask", 2, "Buy milk"), None, SAME),
            (("new", "bank", "AddTask", 3, "Call the bank"), None, SAME),
            (("execute", "milk"), None, [REPORT, task(2, "Buy milk")]),
            (("execute", "bank"), None, [REPORT, task(2, "Buy milk"), CALL]),
            (("undo", "milk"), None, [REPORT, CALL]),
        ],
        why="undo removes the task with this command's id, not whichever task is last",
    )


@pytest.mark.task(1)
def test_remove_execute_again_records_again(learner):
    """after undo, RemoveTask.execute again records where the task is now"""
    play(
        learner,
        [REPORT, MILK, CALL],
        [
            (("new", "rm", "RemoveTask", 2), None, SAME),
            (("new", "rm_first", "RemoveTask", 1), None, SAME),
            (("execute", "rm"), None, [REPORT, CALL]),
            (("undo", "rm"), None, [REPORT, MILK, CALL]),
            (("execute", "rm_first"), None, [MILK, CALL]),
            (("execute", "rm"), None, [CALL]),
            (("undo", "rm"), None, [MILK, CALL]),
        ],
        why="each execute() records the position the task has at that moment",
    )


# -- task 2 --------------------------------------------------------------------------
@pytest.mark.task(2)
def test_rename_and_undo(learner):
    """RenameTask sets the new title; undo restores the old one"""
    play(
        learner,
        [REPORT, MILK],
        [
            (("new", "ren", "RenameTask", 2, "Buy oat milk"), None, SAME),
            (("execute", "ren"), None, [REPORT, task(2, "Buy oat milk", True)]),
            (("undo", "ren"), None, [REPORT, MILK]),
        ],
    )


@pytest.mark.task(2)
def test_rename_remembers_the_title_at_execute_time(learner):
    """two renames built up front undo to the title each one replaced"""
    play(
        learner,
        [REPORT],
        [
            (("new", "first", "RenameTask", 1, "Draft"), None, SAME),
            (("new", "second", "RenameTask", 1, "Final"), None, SAME),
            (("execute", "first"), None, [task(1, "Draft")]),
            (("execute", "second"), None, [task(1, "Final")]),
            (("undo", "second"), None, [task(1, "Draft")]),
            (("undo", "first"), None, [REPORT]),
        ],
        why="read the old title in execute(), not in __init__",
    )


@pytest.mark.task(2)
@pytest.mark.parametrize(
    "class_name,args",
    [("RenameTask", (99, "New")), ("CompleteTask", (99,))],
    ids=["RenameTask", "CompleteTask"],
)
def test_missing_task_raises_key_error(learner, class_name, args):
    """renaming or completing an id that is not there raises KeyError and changes nothing"""
    play(
        learner,
        [REPORT],
        [
            (("new", "cmd", class_name, *args), None, SAME),
            (("execute", "cmd"), KeyError, SAME),
        ],
    )


@pytest.mark.task(2)
def test_complete_and_undo(learner):
    """CompleteTask sets done to True; undo sets it back to False"""
    play(
        learner,
        [REPORT, MILK],
        [
            (("new", "done", "CompleteTask", 1), None, SAME),
            (("execute", "done"), None, [task(1, "Write the report", True), MILK]),
            (("undo", "done"), None, [REPORT, MILK]),
        ],
    )


@pytest.mark.task(2)
def test_undo_complete_of_a_task_already_done(learner):
    """undoing CompleteTask on a task that was already done leaves it done"""
    play(
        learner,
        [REPORT, MILK],
        [
            (("new", "done", "CompleteTask", 2), None, SAME),
            (("execute", "done"), None, SAME),
            (("undo", "done"), None, SAME),
        ],
        why="undo restores the done flag the task had before, which may already be True",
    )


@pytest.mark.task(2)
def test_complete_remembers_the_flag_at_execute_time(learner):
    """CompleteTask built before another command finished the task still undoes correctly"""
    play(
        learner,
        [REPORT],
        [
            (("new", "late", "CompleteTask", 1), None, SAME),
            (("new", "early", "CompleteTask", 1), None, SAME),
            (("execute", "early"), None, [task(1, "Write the report", True)]),
            (("execute", "late"), None, SAME),
            (("undo", "late"), None, SAME),
            (("undo", "early"), None, [REPORT]),
        ],
        why="read the old done flag in execute(), not in __init__",
    )


@pytest.mark.task(2)
def test_rename_execute_again_records_again(learner):
    """after undo, RenameTask.execute again remembers the title the task has now"""
    play(
        learner,
        [REPORT],
        [
            (("new", "ren", "RenameTask", 1, "Draft"), None, SAME),
            (("new", "other", "RenameTask", 1, "Outline"), None, SAME),
            (("execute", "ren"), None, [task(1, "Draft")]),
            (("undo", "ren"), None, [REPORT]),
            (("execute", "other"), None, [task(1, "Outline")]),
            (("execute", "ren"), None, [task(1, "Draft")]),
            (("undo", "ren"), None, [task(1, "Outline")]),
        ],
        why="each execute() records the title the task has at that moment",
    )


@pytest.mark.task(2)
def test_complete_execute_again_records_again(learner):
    """after undo, CompleteTask.execute again remembers the done flag the task has now"""
    play(
        learner,
        [REPORT],
        [
            (("new", "done", "CompleteTask", 1), None, SAME),
            (("new", "other", "CompleteTask", 1), None, SAME),
            (("execute", "done"), None, [task(1, "Write the report", True)]),
            (("undo", "done"), None, [REPORT]),
            (("execute", "other"), None, [task(1, "Write the report", True)]),
            (("execute", "done"), None, SAME),
            (("undo", "done"), None, SAME),
        ],
        why="each execute() records the done flag the task has at that moment",
    )


# -- task 3: the history is graded with the grader's own spy commands, so a mistake in
# one of your command classes costs only the points of tasks 1 and 2 --------------------
@pytest.mark.task(3)
def test_history_execute_runs_the_command(learner):
    """history.execute(command) runs the command once and returns None"""
    play_log(
        learner,
        [
            (("spy", "a", False), None, []),
            (("h.execute", "a"), None, ["execute a"]),
        ],
    )


@pytest.mark.task(3)
def test_undo_last_on_an_empty_history(learner):
    """undo_last with nothing to undo returns False and changes nothing"""
    play(
        learner,
        [REPORT],
        [(("h.undo_last",), False, SAME)],
        why="with nothing to undo, undo_last returns False instead of raising",
    )


@pytest.mark.task(3)
def test_undo_last_unwinds_in_reverse_order(learner):
    """undo_last undoes the most recent command first, then the one before, and so on"""
    names = ["a", "b", "c", "d", "e"]
    script = [(("spy", name, False), None, []) for name in names]
    log: list[str] = []
    for name in names:
        log = [*log, f"execute {name}"]
        script.append((("h.execute", name), None, log))
    for name in reversed(names):
        log = [*log, f"undo {name}"]
        script.append((("h.undo_last",), True, log))
    script.append((("h.undo_last",), False, log))
    play_log(learner, script)


@pytest.mark.task(3)
def test_failed_command_is_not_recorded(learner):
    """a command that raises reaches the caller and is not added to the history"""
    play_log(
        learner,
        [
            (("spy", "a", False), None, []),
            (("spy", "broken", True), None, []),
            (("spy", "also_broken", True), None, []),
            (("h.execute", "a"), None, ["execute a"]),
            (("h.execute", "broken"), RuntimeError, ["execute a"]),
            (("h.execute", "also_broken"), RuntimeError, ["execute a"]),
            (("h.undo_last",), True, ["execute a", "undo a"]),
            (("h.undo_last",), False, ["execute a", "undo a"]),
        ],
    )


@pytest.mark.task(3)
def test_history_works_with_any_command_object(learner):
    """the history drives any object with execute() and undo(), not just your classes"""
    play_log(
        learner,
        [
            (("spy", "a", False), None, []),
            (("spy", "b", False), None, []),
            (("spy", "broken", True), None, []),
            (("h.execute", "a"), None, ["execute a"]),
            (("h.execute", "b"), None, ["execute a", "execute b"]),
            (("h.execute", "broken"), RuntimeError, ["execute a", "execute b"]),
            (("h.undo_last",), True, ["execute a", "execute b", "undo b"]),
            (("h.undo_last",), True, ["execute a", "execute b", "undo b", "undo a"]),
            (("h.undo_last",), False, ["execute a", "execute b", "undo b", "undo a"]),
        ],
    )


@pytest.mark.task(3)
def test_histories_do_not_share_commands(learner):
    """a new CommandHistory starts with nothing to undo, whatever another history holds"""
    call = (
        "first = CommandHistory(); first.execute(a); first.execute(b); first.undo_last(); "
        "second = CommandHistory(); second.undo_last(); second.redo_last()"
    )
    result = learner.run(act_two_histories, call=call).value("the steps to run")
    for label, record in result["records"]:
        Outcome.from_attempt(call.split("; second")[0] + "; " + label, record).value()
    if result["second"] != [False, False] or result["log"] != ["execute a", "execute b", "undo b"]:
        raise GradeFailure(
            f"Called:   {call}\nGot:      second.undo_last(), second.redo_last() returned "
            f"{show(result['second'])}; the commands received {show(result['log'])}\n"
            "Expected: False, False; the commands received ['execute a', 'execute b', 'undo b']\n"
            "Why:      each history needs its own stacks: create them in __init__ (self.x = []), "
            "not as class attributes shared by every history"
        )


# -- task 4 ---------------------------------------------------------------------------
@pytest.mark.task(4)
def test_redo_last_with_nothing_undone(learner):
    """redo_last returns False when nothing was undone"""
    play_log(
        learner,
        [
            (("h.redo_last",), False, []),
            (("spy", "a", False), None, []),
            (("h.execute", "a"), None, ["execute a"]),
            (("h.redo_last",), False, ["execute a"]),
        ],
        why="with nothing undone, redo_last returns False",
    )


@pytest.mark.task(4)
def test_redo_last_redoes_in_order(learner):
    """redo_last executes again the most recently undone command, then the one before"""
    script = [(("spy", name, False), None, []) for name in "abc"]
    log: list[str] = []

    def step(kind: tuple, returns: Any, entry: str | None) -> None:
        nonlocal log
        if entry:
            log = [*log, entry]
        script.append((kind, returns, log))

    for name in "abc":
        step(("h.execute", name), None, f"execute {name}")
    step(("h.undo_last",), True, "undo c")
    step(("h.undo_last",), True, "undo b")
    step(("h.redo_last",), True, "execute b")
    step(("h.undo_last",), True, "undo b")
    step(("h.undo_last",), True, "undo a")
    step(("h.redo_last",), True, "execute a")
    step(("h.redo_last",), True, "execute b")
    step(("h.redo_last",), True, "execute c")
    step(("h.redo_last",), False, None)
    step(("h.undo_last",), True, "undo c")
    play_log(
        learner,
        script,
        why="undone commands go on a redo stack; redo puts them back on the undo stack",
    )


@pytest.mark.task(4)
def test_new_command_clears_redo(learner):
    """after undo, a new successful command leaves nothing to redo"""
    play_log(
        learner,
        [
            (("spy", "a", False), None, []),
            (("spy", "b", False), None, []),
            (("spy", "c", False), None, []),
            (("h.execute", "a"), None, ["execute a"]),
            (("h.execute", "b"), None, ["execute a", "execute b"]),
            (("h.undo_last",), True, ["execute a", "execute b", "undo b"]),
            (("h.execute", "c"), None, ["execute a", "execute b", "undo b", "execute c"]),
            (("h.redo_last",), False, ["execute a", "execute b", "undo b", "execute c"]),
        ],
        why="after a new command succeeds, the old redo stack no longer applies",
    )


@pytest.mark.task(4)
def test_failed_command_keeps_redo(learner):
    """a command that fails does not throw away what could be redone"""
    play_log(
        learner,
        [
            (("spy", "a", False), None, []),
            (("spy", "b", False), None, []),
            (("spy", "bad", True), None, []),
            (("h.execute", "a"), None, ["execute a"]),
            (("h.execute", "b"), None, ["execute a", "execute b"]),
            (("h.undo_last",), True, ["execute a", "execute b", "undo b"]),
            (("h.execute", "bad"), RuntimeError, ["execute a", "execute b", "undo b"]),
            (("h.redo_last",), True, ["execute a", "execute b", "undo b", "execute b"]),
        ],
        why="a command that fails changes neither the undo nor the redo stack",
    )


@pytest.mark.task(4)
def test_redo_with_any_command_object(learner):
    """undo, redo, undo again drive the same command object each time"""
    play_log(
        learner,
        [
            (("spy", "a", False), None, []),
            (("h.execute", "a"), None, ["execute a"]),
            (("h.undo_last",), True, ["execute a", "undo a"]),
            (("h.redo_last",), True, ["execute a", "undo a", "execute a"]),
            (("h.redo_last",), False, ["execute a", "undo a", "execute a"]),
            (("h.undo_last",), True, ["execute a", "undo a", "execute a", "undo a"]),
            (("h.undo_last",), False, ["execute a", "undo a", "execute a", "undo a"]),
        ],
    )
