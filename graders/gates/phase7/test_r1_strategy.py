"""Gate R1: an abstract TaskRepository, two backends, and TaskManager built on the one given."""

from __future__ import annotations

import abc
import ast
import importlib
import inspect
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from graders.gates.phase7.actkit import build_app, describe_error, own_output
from graders.gates.phase7.fixtures import (  # noqa: F401 - fixtures
    _gate_sandbox,
    gate_fixture,
    secret_fixture,
    should_fixture,
    target_dir_fixture,
)
from graders.gates.phase7.judge import failure, result

pytestmark = pytest.mark.requirement("R1")
BACKENDS = ("InMemoryTaskRepository", "SqliteTaskRepository")


# -- acts (run in the sandbox) ------------------------------------------------------------
def load(tf: Any, name: str) -> tuple[Any, str | None]:
    """taskforge.<name>, or the reason it cannot be imported."""
    own_output()
    try:
        return importlib.import_module(f"{tf.__name__}.{name}"), None
    except Exception as exc:  # noqa: BLE001 - reported to the judge
        return None, describe_error(exc)


def field(record: Any, name: str) -> Any:
    """A record's field, whether the record is a mapping or an object with attributes."""
    if isinstance(record, dict):
        return record.get(name)
    return getattr(record, name, None)


def inspect_design(tf: Any) -> dict[str, Any]:
    """What the modules define: the abstract base, its concrete subclasses, TaskManager."""
    found: dict[str, Any] = {}
    repository, found["repository_error"] = load(tf, "repository")
    services, found["services_error"] = load(tf, "services")
    base = getattr(repository, "TaskRepository", None)
    if isinstance(base, type):
        try:
            base()
            found["instantiate"] = "TaskRepository() created an object"
        except TypeError as exc:
            found["instantiate"] = f"TypeError: {exc}"
        except Exception as exc:  # noqa: BLE001
            found["instantiate"] = describe_error(exc)
        found["base"] = {
            "is_abc": issubclass(base, abc.ABC) or isinstance(base, abc.ABCMeta),
            "isabstract": inspect.isabstract(base),
            "abstract_methods": sorted(str(m) for m in getattr(base, "__abstractmethods__", ())),
        }
        concrete, stack, seen = [], list(base.__subclasses__()), set()
        while stack:
            cls = stack.pop()
            if cls in seen:
                continue
            seen.add(cls)
            stack.extend(cls.__subclasses__())
            if not inspect.isabstract(cls):
                concrete.append(cls)
        found["concrete"] = sorted(f"{c.__module__}.{c.__qualname__}" for c in concrete)
        for name in BACKENDS:
            backend = getattr(repository, name, None)
            found[name] = {
                "exported": backend is not None,
                "concrete_subclass": any(backend is c for c in concrete),
            }
    else:
        found["base"] = None
    manager = getattr(services, "TaskManager", None)
    if isinstance(manager, type):
        try:
            parameters = list(inspect.signature(manager).parameters.values())
            found["manager"] = [[p.name, p.kind.name] for p in parameters]
        except (TypeError, ValueError) as exc:
            found["manager"] = describe_error(exc)
    else:
        found["manager"] = None
    return found


def injected_not_constructed(tf: Any) -> dict[str, Any]:
    """Two managers on two in-memory repositories, with sqlite3.connect forbidden."""
    repository, error = load(tf, "repository")
    services, error = (None, error) if error else load(tf, "services")
    if error:
        return {"import_error": error}
    opened: list[str] = []
    touched: list[str] = []
    real_connect = sqlite3.connect

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        opened.append(repr(args[:1]))
        raise sqlite3.OperationalError("the gate forbids SQLite in this check")

    def spy(self: Any, name: str) -> Any:
        if not name.startswith("__"):
            touched.append(name)
        return memory.__getattribute__(self, name)

    found: dict[str, Any] = {"step": "find InMemoryTaskRepository and TaskManager"}
    sqlite3.connect = forbidden
    try:
        memory, manager = repository.InMemoryTaskRepository, services.TaskManager
        found["step"] = "TaskManager(InMemoryTaskRepository()) twice"
        first, second = manager(memory()), manager(memory())
        found["step"] = "first.create_project('Only in the first')"
        project = field(first.create_project("Only in the first"), "id")
        for title, priority in (("first task", 60), ("second task", 40)):
            found["step"] = f"first.create_task(project_id=..., title={title!r}, ...)"
            first.create_task(project_id=project, title=title, priority=priority)
        found["step"] = "first.list_tasks()"
        found["first"] = [field(t, "title") for t in first.list_tasks()]
        found["step"] = "second.list_tasks()"
        found["second"] = [field(t, "title") for t in second.list_tasks()]
        found["step"] = "TaskManager(a spy repository).create_project('Spied')"
        spy_class = type("GateSpyRepository", (memory,), {"__getattribute__": spy})
        manager(spy_class()).create_project("Spied")
        found["step"] = None
    except Exception as exc:  # noqa: BLE001
        found["error"] = describe_error(exc)
    finally:
        sqlite3.connect = real_connect
    found["opened"] = opened
    found["touched"] = sorted(set(touched))
    return found


def story(manager: Any) -> dict[str, Any]:
    """The R1.3 scenario on one manager, as plain data (stops at the first failing step)."""
    out: dict[str, Any] = {"failed_at": None}
    names: dict[Any, str] = {}
    try:
        out["failed_at"] = "create_project('Gate One') and create_project('Gate Two')"
        one = field(manager.create_project("Gate One"), "id")
        two = field(manager.create_project("Gate Two"), "id")
        names.update({one: "Gate One", two: "Gate Two"})
        ids = {}
        for title, priority in (("low", 10), ("high", 90), ("mid", 50)):
            out["failed_at"] = f"create_task(project_id=..., title={title!r}, priority={priority})"
            ids[title] = field(
                manager.create_task(project_id=one, title=title, priority=priority), "id"
            )
        out["failed_at"] = "create_task(title='sub', priority=70, parent_id=<high>)"
        sub = manager.create_task(project_id=one, title="sub", priority=70, parent_id=ids["high"])
        out["sub_parent"] = field(sub, "parent_id") == ids["high"]
        out["failed_at"] = "get_task(987654)"
        try:
            manager.get_task(987654)
            out["unknown"] = "returned without raising"
        except Exception as exc:  # noqa: BLE001 - any exception is what the contract asks
            out["unknown"] = f"raised {type(exc).__name__}"
        out["failed_at"] = "move_task(<high>, <Gate Two>)"
        moved = manager.move_task(ids["high"], two)
        out["moved"] = names.get(field(moved, "project_id"), "another project")
        out["failed_at"] = "get_task(<sub>)"
        after = manager.get_task(field(sub, "id"))
        out["sub"] = names.get(field(after, "project_id"), "another project")
        out["failed_at"] = "list_tasks()"
        out["order"] = [
            [field(t, "title"), field(t, "priority"), names.get(field(t, "project_id"), "?")]
            for t in manager.list_tasks()
        ]
        out["failed_at"] = None
    except Exception as exc:  # noqa: BLE001
        out["error"] = describe_error(exc)
    return out


def same_story_on_both_backends(tf: Any, db_path: str, secret: str) -> dict[str, Any]:
    """Run the scenario on InMemoryTaskRepository() and on SqliteTaskRepository(conn)."""
    repository, error = load(tf, "repository")
    services, error = (None, error) if error else load(tf, "services")
    if error:
        return {"import_error": error}
    build_app(tf, db_path, secret)  # prepares the database
    try:
        memory = repository.InMemoryTaskRepository()
    except Exception as exc:  # noqa: BLE001
        return {"import_error": f"InMemoryTaskRepository() raised {describe_error(exc)}"}
    found = {"memory": story(services.TaskManager(memory))}
    connection = sqlite3.connect(db_path)
    try:
        found["sqlite"] = story(services.TaskManager(repository.SqliteTaskRepository(connection)))
    except Exception as exc:  # noqa: BLE001
        found["import_error"] = f"SqliteTaskRepository(connection) raised {describe_error(exc)}"
    finally:
        connection.close()
    return found


# -- checks (run here, in the trusted process) ---------------------------------------------
def missing_modules(found: dict[str, Any]) -> None:
    if found.get("import_error"):
        raise failure(
            "import taskforge.repository and taskforge.services and build the backends",
            found["import_error"],
            "the modules and classes of the contract, section 4",
        )


@pytest.fixture(scope="module")
def design(gate) -> dict[str, Any]:
    outcome = gate.run(
        inspect_design,
        call="import taskforge.repository and taskforge.services, then inspect their classes",
    )
    return result(outcome, "a description of the classes")


def test_abstract_repository_with_two_backends(design):
    """TaskRepository is abstract and has InMemory and Sqlite concrete backends"""
    did = "import taskforge.repository; inspect TaskRepository and its subclasses"
    if design["repository_error"]:
        raise failure(
            "import taskforge.repository",
            design["repository_error"],
            "a module or package taskforge/repository defining TaskRepository",
            "storage goes behind one interface (Strategy): see the contract, section 4",
        )
    base = design["base"]
    if base is None:
        raise failure(did, "no class named TaskRepository", "class TaskRepository(abc.ABC)")
    if not (
        base["is_abc"] and base["isabstract"] and design["instantiate"].startswith("TypeError")
    ):
        raise failure(
            did,
            f"abstract methods {base['abstract_methods']}; {design['instantiate']}",
            "a subclass of abc.ABC with at least one @abstractmethod, so that "
            "TaskRepository() raises TypeError",
        )
    problems = []
    for name in BACKENDS:
        if not design[name]["concrete_subclass"]:
            what = "not a concrete subclass of TaskRepository" if design[name]["exported"] else ""
            problems.append(f"{name} is {what or 'missing'}")
    if len(design["concrete"]) < 2 or problems:
        raise failure(
            did,
            f"concrete subclasses {design['concrete']}"
            + (f"; {'; '.join(problems)}" if problems else ""),
            "at least two concrete subclasses, among them InMemoryTaskRepository and "
            "SqliteTaskRepository, importable from taskforge.repository",
        )


def test_task_manager_takes_the_repository(design):
    """TaskManager's first constructor parameter is the repository"""
    if design["services_error"]:
        raise failure(
            "import taskforge.services",
            design["services_error"],
            "a module or package taskforge/services defining TaskManager",
        )
    manager = design["manager"]
    positional = ("POSITIONAL_ONLY", "POSITIONAL_OR_KEYWORD")
    if not isinstance(manager, list) or not manager or manager[0][1] not in positional:
        raise failure(
            "inspect.signature(taskforge.services.TaskManager)",
            repr(manager) if manager is not None else "no class named TaskManager",
            "a constructor whose first positional parameter is the repository: "
            "TaskManager(repository)",
            "constructor injection: whoever builds the manager chooses its storage",
        )


def test_injection_not_construction(gate):
    """managers use the repository they are given: no hidden storage, no SQLite of their own"""
    outcome = gate.run(
        injected_not_constructed,
        call="with sqlite3.connect forbidden: first = TaskManager(InMemoryTaskRepository()), "
        "second = TaskManager(InMemoryTaskRepository()); a project and two tasks through first",
    )
    found = result(outcome, "the managers to be used")
    did = outcome.call
    missing_modules(found)
    if found.get("error"):
        raise failure(
            did,
            f"{found['step']} raised {found['error']}",
            "every step to work on the in-memory backend",
            "opening SQLite here means the manager builds its own storage"
            if found["opened"]
            else "",
        )
    if found["opened"]:
        raise failure(
            did,
            f"sqlite3.connect was called {len(found['opened'])} time(s)",
            "no SQLite connection at all",
            "the in-memory backend must not touch SQLite",
        )
    if sorted(found["first"]) != ["first task", "second task"] or found["second"] != []:
        raise failure(
            did,
            f"first.list_tasks() titles {found['first']}, second.list_tasks() titles "
            f"{found['second']}",
            "the first lists its two tasks, the second lists nothing",
            "each manager must keep to the repository it was given (no module-level storage)",
        )
    if not found["touched"]:
        raise failure(
            "TaskManager(spy).create_project('Spied'), where spy is an InMemoryTaskRepository "
            "subclass that records attribute access",
            "no attribute of the spy was used",
            "the manager to call its injected repository",
        )


def test_same_results_on_both_backends(gate, secret):
    """one scenario gives the same results on the in-memory and the SQLite backend"""
    outcome = gate.run(
        same_story_on_both_backends,
        str(gate.workdir / "r1.sqlite"),
        secret,
        call="the same TaskManager scenario on InMemoryTaskRepository() and on "
        "SqliteTaskRepository(sqlite3.connect(<database prepared by create_app>))",
    )
    found = result(outcome, "both scenarios to finish")
    missing_modules(found)
    expected = [
        ["high", 90, "Gate Two"],
        ["sub", 70, "Gate Two"],
        ["mid", 50, "Gate One"],
        ["low", 10, "Gate One"],
    ]
    for backend in ("memory", "sqlite"):
        story_result = found[backend]
        name = "InMemoryTaskRepository" if backend == "memory" else "SqliteTaskRepository"
        did = f"TaskManager({name}(...)): projects, tasks 10/90/50, a subtask, a move"
        if story_result.get("failed_at"):
            raise failure(
                did,
                f"{story_result['failed_at']} raised {story_result.get('error')}",
                "every step of the scenario to work",
            )
        if not story_result["unknown"].startswith("raised"):
            raise failure(
                f"{name}: get_task(987654), an id that does not exist",
                story_result["unknown"],
                "an exception",
            )
        if story_result["moved"] != "Gate Two" or story_result["sub"] != "Gate Two":
            raise failure(
                f"{name}: move_task(<high>, <Gate Two>), then get_task(<its subtask>)",
                f"the task is in {story_result['moved']}, the subtask in {story_result['sub']}",
                "both in Gate Two",
                "a move takes the subtasks along",
            )
        if story_result["order"] != expected:
            raise failure(
                f"{name}: list_tasks() after the move",
                repr(story_result["order"]),
                f"{expected} (title, priority, project), highest priority first",
            )
    memory, on_sqlite = found["memory"], found["sqlite"]
    if memory != on_sqlite:
        raise failure(
            "the same scenario on both backends",
            f"in memory {memory!r}; on SQLite {on_sqlite!r}",
            "identical results",
        )


def imports_services(node: ast.AST) -> bool:
    """True for `from .services import ...`, `from . import services`, `import x.services`."""
    if isinstance(node, ast.Import):
        return any("services" in alias.name.split(".") for alias in node.names)
    if isinstance(node, ast.ImportFrom):
        parts = (node.module or "").split(".")
        if "services" in parts:
            return True
        from_package = node.module is None or parts[-1] == "taskforge"
        return from_package and any(alias.name == "services" for alias in node.names)
    return False


@pytest.mark.requirement("S")
def test_should_routes_use_the_service(should):
    """SHOULD (R1.4): the route modules go through taskforge.services"""
    with should.checking():
        target_dir = Path(should.fixture("target_dir"))
        users = []
        for path in sorted(target_dir.rglob("*.py")):
            relative = path.relative_to(target_dir)
            if relative.parts[0] in ("services", "services.py"):
                continue
            try:
                tree = ast.parse(path.read_text(encoding="utf-8"))
            except (SyntaxError, UnicodeDecodeError, ValueError):
                continue
            if any(imports_services(node) for node in ast.walk(tree)):
                users.append(str(relative))
        if users:
            should(True, f"taskforge.services is imported by {', '.join(users)}")
        else:
            should(
                False,
                "no module outside taskforge/services imports it: do the routes still "
                "talk to the database directly?",
            )
