"""Mutant: CompleteTask keeps the done flag it saw the first time it ran, so undo after a redo restores a stale flag."""

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
        if any(task["id"] == self.task_id for task in self.tasks.tasks):
            raise ValueError(f"a task with id {self.task_id!r} already exists")
        self.tasks.tasks.append({"id": self.task_id, "title": self.title, "done": False})

    def undo(self) -> None:
        """Remove the task this command added."""
        del self.tasks.tasks[self.tasks.position(self.task_id)]


class RemoveTask:
    """Remove a task from the list."""

    def __init__(self, tasks: TaskList, task_id: Any) -> None:
        """Remember which task to remove; nothing changes until execute()."""
        self.tasks = tasks
        self.task_id = task_id
        self._index = -1
        self._removed: dict[str, Any] = {}

    def execute(self) -> None:
        """Remove the task; raise KeyError if there is no task with this id."""
        self._index = self.tasks.position(self.task_id)
        self._removed = self.tasks.tasks.pop(self._index)

    def undo(self) -> None:
        """Put the removed task back where it was."""
        self.tasks.tasks.insert(self._index, self._removed)


class RenameTask:
    """Give a task a new title."""

    def __init__(self, tasks: TaskList, task_id: Any, new_title: str) -> None:
        """Remember the task and its new title; nothing changes until execute()."""
        self.tasks = tasks
        self.task_id = task_id
        self.new_title = new_title
        self._old_title = ""

    def execute(self) -> None:
        """Set the new title; raise KeyError if there is no task with this id."""
        task = self.tasks.tasks[self.tasks.position(self.task_id)]
        self._old_title = task["title"]
        task["title"] = self.new_title

    def undo(self) -> None:
        """Restore the title the task had just before execute()."""
        self.tasks.tasks[self.tasks.position(self.task_id)]["title"] = self._old_title


class CompleteTask:
    """Mark a task as done."""

    def __init__(self, tasks: TaskList, task_id: Any) -> None:
        """Remember which task to complete; nothing changes until execute()."""
        self.tasks = tasks
        self.task_id = task_id
        self._was_done = False

    def execute(self) -> None:
        """Set done to True; raise KeyError if there is no task with this id."""
        task = self.tasks.tasks[self.tasks.position(self.task_id)]
        if not hasattr(self, "_seen"):
            self._seen = True
            self._was_done = task["done"]
        task["done"] = True

    def undo(self) -> None:
        """Restore the done flag the task had just before execute()."""
        self.tasks.tasks[self.tasks.position(self.task_id)]["done"] = self._was_done


class CommandHistory:
    """Runs commands and remembers them, so they can be undone and redone in order.

    It works with any object that has ``execute()`` and ``undo()`` methods.
    """

    def __init__(self) -> None:
        """Start with nothing to undo and nothing to redo."""
        self._done: list[Any] = []
        self._undone: list[Any] = []

    def execute(self, command: Any) -> None:
        """Run ``command.execute()`` and record it for undo_last.

        If execute raises, the exception reaches the caller and the history (undo and
        redo) stays exactly as it was. After a success there is nothing left to redo.
        """
        command.execute()
        self._done.append(command)
        self._undone.clear()

    def undo_last(self) -> bool:
        """Undo the most recent command still in effect; False if there is none."""
        if not self._done:
            return False
        command = self._done.pop()
        command.undo()
        self._undone.append(command)
        return True

    def redo_last(self) -> bool:
        """Execute again the most recently undone command; False if there is none."""
        if not self._undone:
            return False
        command = self._undone.pop()
        command.execute()
        self._done.append(command)
        return True
