"""Chapter 28 exercise: edits as Command objects, with undo and redo (the Command pattern).

Every change to a TaskForge task list becomes an object with two methods: ``execute()``
makes the change, ``undo()`` takes exactly that change back. Because a change is now a
value, a ``CommandHistory`` can keep the ones that ran and unwind them one by one::

    >>> tasks = TaskList()
    >>> history = CommandHistory()
    >>> history.execute(AddTask(tasks, 1, "Write the report"))
    >>> history.execute(RenameTask(tasks, 1, "Write the final report"))
    >>> history.execute(CompleteTask(tasks, 1))
    >>> tasks.snapshot()
    [{'id': 1, 'title': 'Write the final report', 'done': True}]
    >>> history.undo_last(), history.undo_last()
    (True, True)
    >>> tasks.snapshot()
    [{'id': 1, 'title': 'Write the report', 'done': False}]
    >>> history.redo_last()
    True
    >>> tasks.snapshot()
    [{'id': 1, 'title': 'Write the final report', 'done': False}]

``TaskList`` (already written) is the receiver: ``tasks.tasks`` is a plain list of task
dicts ``{"id": ..., "title": str, "done": bool}`` in display order, and
``tasks.position(task_id)`` finds a task's index or raises ``KeyError``.

The rules every command follows:

* A command is built first and executed later, maybe after other commands have run, so
  anything ``undo()`` needs must be recorded by ``execute()``, at the moment it runs.
* ``undo()`` puts back the state from just before ``execute()``: the same task, at the
  same position, with the same title and the same done flag.
* A command that cannot run raises (``ValueError`` or ``KeyError``, see each class)
  *before* changing anything.
* After ``undo()``, calling ``execute()`` again does the change again (that is redo).

Your tasks:

1. ``AddTask`` and ``RemoveTask``.
2. ``RenameTask`` and ``CompleteTask``.
3. ``CommandHistory.execute`` and ``CommandHistory.undo_last``.
4. ``CommandHistory.redo_last``.
"""

from __future__ import annotations

import copy
from typing import Any


class TaskList:
    """The receiver: an ordered list of task dicts. Already written for you."""

    def __init__(self) -> None:
        """Start with no tasks."""
        self.tasks: list[dict[str, Any]] = []

    def position(self, task_id: Any) -> int:
        """Return the index of the task with this id; raise KeyError if there is none."""
        for index, task in enumerate(self.tasks):
            if task["id"] == task_id:
                return index
        raise KeyError(task_id)

    def snapshot(self) -> list[dict[str, Any]]:
        """Return a deep copy of the tasks, handy for printing and comparing."""
        return copy.deepcopy(self.tasks)


class AddTask:
    """Append a new task ``{"id": task_id, "title": title, "done": False}``."""

    def __init__(self, tasks: TaskList, task_id: Any, title: str) -> None:
        """Remember what to add; nothing changes until execute()."""
        self.tasks = tasks
        self.task_id = task_id
        self.title = title

    def execute(self) -> None:
        """Append the task; raise ValueError if a task with this id already exists."""
        # TODO (task 1): refuse a duplicate id before changing anything, then append.
        raise NotImplementedError("AddTask.execute is not written yet")

    def undo(self) -> None:
        """Remove the task this command added."""
        # TODO (task 1)
        raise NotImplementedError("AddTask.undo is not written yet")


class RemoveTask:
    """Remove a task from the list."""

    def __init__(self, tasks: TaskList, task_id: Any) -> None:
        """Remember which task to remove; nothing changes until execute()."""
        self.tasks = tasks
        self.task_id = task_id

    def execute(self) -> None:
        """Remove the task; raise KeyError if there is no task with this id."""
        # TODO (task 1): undo will need the removed task AND where it was: keep both.
        raise NotImplementedError("RemoveTask.execute is not written yet")

    def undo(self) -> None:
        """Put the removed task back where it was."""
        # TODO (task 1)
        raise NotImplementedError("RemoveTask.undo is not written yet")


class RenameTask:
    """Give a task a new title."""

    def __init__(self, tasks: TaskList, task_id: Any, new_title: str) -> None:
        """Remember the task and its new title; nothing changes until execute()."""
        self.tasks = tasks
        self.task_id = task_id
        self.new_title = new_title

    def execute(self) -> None:
        """Set the new title; raise KeyError if there is no task with this id."""
        # TODO (task 2): read the old title here, when the command runs.
        raise NotImplementedError("RenameTask.execute is not written yet")

    def undo(self) -> None:
        """Restore the title the task had just before execute()."""
        # TODO (task 2)
        raise NotImplementedError("RenameTask.undo is not written yet")


class CompleteTask:
    """Mark a task as done."""

    def __init__(self, tasks: TaskList, task_id: Any) -> None:
        """Remember which task to complete; nothing changes until execute()."""
        self.tasks = tasks
        self.task_id = task_id

    def execute(self) -> None:
        """Set done to True; raise KeyError if there is no task with this id."""
        # TODO (task 2): the task may already be done; remember how it was.
        raise NotImplementedError("CompleteTask.execute is not written yet")

    def undo(self) -> None:
        """Restore the done flag the task had just before execute()."""
        # TODO (task 2)
        raise NotImplementedError("CompleteTask.undo is not written yet")


class CommandHistory:
    """Runs commands and remembers them, so they can be undone and redone in order.

    It works with any object that has ``execute()`` and ``undo()`` methods.
    """

    def __init__(self) -> None:
        """Start with nothing to undo and nothing to redo."""
        # TODO (tasks 3 and 4): two stacks: commands in effect, and commands undone.
        raise NotImplementedError("CommandHistory.__init__ is not written yet")

    def execute(self, command: Any) -> None:
        """Run ``command.execute()`` and record it for undo_last.

        If execute raises, the exception reaches the caller and the history (undo and
        redo) stays exactly as it was. After a success there is nothing left to redo.
        """
        # TODO (task 3): record the command only once execute() has returned.
        # TODO (task 4): a successful command leaves nothing to redo.
        raise NotImplementedError("CommandHistory.execute is not written yet")

    def undo_last(self) -> bool:
        """Undo the most recent command still in effect; False if there is none."""
        # TODO (task 3): last in, first out. Task 4 will also need to keep what you undo.
        raise NotImplementedError("CommandHistory.undo_last is not written yet")

    def redo_last(self) -> bool:
        """Execute again the most recently undone command; False if there is none."""
        # TODO (task 4): execute it again and make it undoable once more.
        raise NotImplementedError("CommandHistory.redo_last is not written yet")
