"""The judge's side of the sandbox: start a worker, send calls, survive anything it does."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graders.paths import REPO_ROOT
from graders.sandbox import codec, protocol
from graders.sandbox.isolation import Isolation, apply, kill_user_processes, scrubbed_env
from graders.sandbox.zygote import ZygoteClient

OUTPUT_TAIL = 1500
COPY_LIMIT = 5 * 1024 * 1024
# A time-out costs only the test that made the call: the worker is killed and the next call
# starts a fresh one. Hostile or stuck code is bounded by a budget for the whole exercise
# (one Sandbox): once its calls have timed out for this long in total, no more calls are made
# and the remaining tests are "not run". The budget is the longer of these two.
TIMEOUT_BUDGET_SECONDS = 120.0
TIMEOUT_BUDGET_LIMITS = 8  # time limits
COPY_SUFFIXES = {".py", ".sql", ".json", ".txt", ".csv", ".toml"}
ZYGOTE_SUPPORTED = hasattr(os, "fork") and hasattr(socket, "send_fds")


class SandboxError(Exception):
    """The learner's module could not be loaded or the sandbox itself failed."""

    def __init__(self, kind: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.details = details or {}


@dataclass
class Reply:
    """What one call produced, as plain data."""

    status: str  # returned | raised | missing | crashed | timeout | unencodable
    value: Any = None
    error: dict[str, Any] = field(default_factory=dict)
    output: str = ""
    detail: str = ""


def copy_learner_files(source_dir: Path, dest: Path) -> None:
    """Copy the learner's chapter folder so their code runs on a private copy."""
    dest.mkdir(parents=True, exist_ok=True)
    total = 0
    for path in sorted(source_dir.iterdir()):
        if path.is_file() and not path.is_symlink() and path.suffix in COPY_SUFFIXES:
            total += path.stat().st_size
            if total > COPY_LIMIT:
                raise SandboxError("too_large", f"{source_dir} holds more than 5 MiB of files")
            shutil.copyfile(path, dest / path.name)


def copy_package(source: Path, dest: Path) -> None:
    """Copy a learner's package folder (e.g. a whole TaskForge) for a private run."""
    total = 0

    def ignore(folder: str, names: list[str]) -> set[str]:
        nonlocal total
        skipped = {
            n
            for n in names
            if n in {"__pycache__", ".git", ".venv", "instance"}
            or n.endswith((".sqlite", ".db", ".pyc"))
        }
        for name in names:
            path = Path(folder) / name
            if name not in skipped and path.is_file():
                total += path.stat().st_size
        if total > 10 * COPY_LIMIT:
            raise SandboxError("too_large", f"{source} holds more than 50 MiB of files")
        return skipped

    shutil.copytree(source, dest, ignore=ignore, symlinks=False)


def start_zygote(preload: list[str]) -> ZygoteClient | None:
    """A warm parent for workers, or None where this platform cannot fork one."""
    if not ZYGOTE_SUPPORTED:
        return None
    return ZygoteClient(preload, tempfile.gettempdir())


class Sandbox:
    """One learner module served by a separate, isolated worker process."""

    def __init__(
        self,
        learner_file: Path,
        *,
        preload: tuple[str, ...] = (),
        timeout: float = 10.0,
        import_timeout: float = 20.0,
        isolation: Isolation | None = None,
        zygote: ZygoteClient | None = None,
        package_name: str | None = None,
        timeout_budget: float | None = None,
    ) -> None:
        self.learner_file = learner_file
        self._timeout_budget = timeout_budget  # None: the default rule (TIMEOUT_BUDGET_*)
        self.package_name = package_name  # set: learner_file is a package folder imported so
        self.module_name = package_name or learner_file.stem
        self.preload = preload
        self.timeout = timeout
        self.import_timeout = import_timeout
        self.isolation = isolation or Isolation()
        self.zygote = zygote
        self.root = Path(tempfile.mkdtemp(prefix="grader-"))
        self.workdir = self.root / "work"
        self.outdir = self.root / "out"
        self.learner_dir = self.root / "learner"
        for folder in (self.workdir, self.outdir):
            folder.mkdir()
        self.pid: int | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.import_error: SandboxError | None = None
        self._request_w: int | None = None
        self._response_r: int | None = None
        self._calls = 0
        self.timed_out_seconds = 0.0  # spent in calls that timed out, against the budget
        self._timed_out_in_test = ""  # set when a call of the current test timed out
        self._tests_tracked = False  # begin_test() was called: calls belong to tests
        self.recent_output: list[str] = []  # what learner code printed since the test began

    # -- lifecycle -----------------------------------------------------------------
    def _prepare_files(self) -> None:
        if self.package_name:
            self.learner_dir.mkdir()
            copy_package(self.learner_file, self.learner_dir / self.package_name)
        else:
            copy_learner_files(self.learner_file.parent, self.learner_dir)
        uid = self.isolation.uid
        if uid is not None:  # the worker's user may enter the tree and write only its folders
            os.chmod(self.root, 0o711)
            for folder in (self.workdir, self.outdir):
                os.chown(folder, uid, uid)

    def _share_workdir(self) -> None:
        """Files the judge put in the work folder must be writable by the sandbox user."""
        uid = self.isolation.uid
        if uid is None:
            return
        for path in self.workdir.rglob("*"):
            with contextlib.suppress(OSError):
                os.chown(path, uid, uid, follow_symlinks=False)

    def _launch(self, request_r: int, response_w: int, log_fd: int) -> None:
        env = scrubbed_env(str(self.workdir), str(REPO_ROOT))
        worker_config = {
            "learner_dir": str(self.learner_dir),
            "module": self.module_name,
            "preload": list(self.preload),
        }
        isolation = {**self.isolation.to_dict(), "scratch": str(self.root)}
        if self.zygote is not None and self.zygote.alive():
            config = {
                "workdir": str(self.workdir),
                "env": env,
                "worker": worker_config,
                "isolation": isolation,
            }
            self.pid = self.zygote.spawn(config, [request_r, response_w, log_fd])
            return
        self.process = subprocess.Popen(
            [sys.executable, "-m", "graders.sandbox.worker", str(request_r), str(response_w)],
            pass_fds=(request_r, response_w),
            stdin=subprocess.DEVNULL,
            stdout=log_fd,
            stderr=subprocess.STDOUT,
            cwd=self.workdir,
            env=env,
            start_new_session=True,
            preexec_fn=(lambda: apply(Isolation.from_dict(isolation)))  # noqa: PLW1509
            if os.name == "posix"
            else None,
        )
        self.pid = self.process.pid
        protocol.write_frame(self._request_w, worker_config)

    def start(self) -> None:
        present = (
            (self.learner_file / "__init__.py").is_file()
            if self.package_name
            else self.learner_file.is_file()
        )
        if not present:
            raise SandboxError("missing_file", f"{self.learner_file} does not exist")
        self._prepare_files()
        request_r, request_w = os.pipe()
        response_r, response_w = os.pipe()
        self._request_w, self._response_r = request_w, response_r
        log_fd = os.open(self.root / "worker.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            self._launch(request_r, response_w, log_fd)
        finally:
            for fd in (request_r, response_w, log_fd):
                os.close(fd)
        self._await_import()

    def _await_import(self) -> None:
        name = self.learner_file.name
        try:
            hello = protocol.read_frame(self._response_r, self.import_timeout)
        except protocol.ChannelTimeout:
            self._kill()
            self.import_error = SandboxError(
                "import_timeout",
                f"importing {name} did not finish within {self.import_timeout:g} s "
                "(is there a loop at the top level of the file?)",
            )
            return
        except (protocol.ChannelClosed, ValueError):
            code = self._kill()
            suffix = f" (exit status {code})" if code is not None else ""
            self.import_error = SandboxError(
                "import_crash", f"the process ended while importing {name}{suffix}"
            )
            return
        if "grader_error" in hello:
            self._kill()
            self.import_error = SandboxError(
                "grader_error",
                f"the grader could not be loaded in the sandbox: {hello['grader_error']}",
            )
        elif "import_error" in hello:
            self._kill()
            info = hello["import_error"]
            self.import_error = SandboxError("import_error", _import_message(info, self), info)

    def close(self) -> None:
        self._kill()
        shutil.rmtree(self.root, ignore_errors=True)

    def _kill(self) -> int | None:
        for name in ("_request_w", "_response_r"):
            fd = getattr(self, name)
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
                setattr(self, name, None)
        pid, self.pid = self.pid, None
        process, self.process = self.process, None
        if pid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
        if self.isolation.uid is not None:
            kill_user_processes(self.isolation.uid)  # also the ones that left the group
        if process is None:
            return None
        try:
            return process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return None

    def _ensure_running(self) -> None:
        if self.pid is None and self.import_error is None:
            self.start()
        if self.import_error is not None:
            raise self.import_error

    # -- the time-out budget ----------------------------------------------------------
    @property
    def timeout_budget(self) -> float:
        if self._timeout_budget is not None:
            return self._timeout_budget
        return max(TIMEOUT_BUDGET_SECONDS, TIMEOUT_BUDGET_LIMITS * self.timeout)

    def budget_exhausted(self) -> str:
        """Why no more calls are made ('' while the budget lasts)."""
        if self.timed_out_seconds < self.timeout_budget:
            return ""
        return (
            f"not run: calls into this code timed out for {self.timed_out_seconds:g} s in all, "
            f"the limit for one exercise (fix the loop or wait that never ends, then check again)"
        )

    def begin_test(self) -> None:
        """A new test starts: forget its predecessor's output and time-out."""
        self.recent_output.clear()
        self._timed_out_in_test = ""
        self._tests_tracked = True

    # -- calls ---------------------------------------------------------------------
    def call(self, func: str, *args: Any, **kwargs: Any) -> Reply:
        """Call a module-level function of the learner's module with plain-data arguments."""
        return self._request({"func": func}, args, kwargs, None)

    def run(self, act: Any, *args: Any, timeout: float | None = None, **kwargs: Any) -> Reply:
        """Run a grader's act function (module-level) in the sandbox: act(module, *args)."""
        return self._request({"act": [act.__module__, act.__qualname__]}, args, kwargs, timeout)

    def make(self, call: Call, timeout: float | None = None) -> Reply:
        """Make one prepared call (a function of the module or a grader's act)."""
        return self._request(call.head, call.args, call.kwargs, timeout)

    def _request(
        self, head: dict[str, Any], args: Any, kwargs: Any, timeout: float | None
    ) -> Reply:
        reason = self.budget_exhausted()
        if reason:
            return Reply("not_run", detail=reason)
        if self._timed_out_in_test:
            # One test pays for one time-out, not for every call it makes afterwards.
            return Reply(
                "not_run",
                detail=(
                    f"not run, because an earlier call in this test timed out "
                    f"(it did not finish within {self._timed_out_in_test} s)"
                ),
            )
        reply = self._send(head, args, kwargs, timeout)
        if reply.output.strip():
            self.recent_output.append(reply.output)
        if reply.status == "timeout":
            self.timed_out_seconds += float(reply.detail)
            if self._tests_tracked:
                self._timed_out_in_test = reply.detail
        return reply

    def _send(self, head: dict[str, Any], args: Any, kwargs: Any, timeout: float | None) -> Reply:
        self._ensure_running()
        self._share_workdir()
        self._calls += 1
        output_file = self.outdir / f"output-{self._calls}.txt"
        request = {
            **head,
            "args": codec.encode(list(args)),
            "kwargs": codec.encode(dict(kwargs)),
            "output": str(output_file),
        }
        limit = self.timeout if timeout is None else timeout
        try:
            protocol.write_frame(self._request_w, request)
            raw = protocol.read_frame(self._response_r, limit)
        except protocol.ChannelTimeout:
            self._kill()
            return Reply("timeout", output=_tail(output_file), detail=f"{limit:g}")
        except (protocol.ChannelClosed, ValueError, OSError):
            self._kill()
            return Reply(
                "crashed", output=_tail(output_file), detail="the sandbox stopped answering"
            )
        return _reply(raw, _tail(output_file))

    def batch(
        self, calls: list[Call], timeout: float | None = None, *, shared: bool = False
    ) -> list[Reply] | None:
        """Make many calls in one round trip; each still runs in its own fresh child with its
        own time limit. Replies come in order and stop after the first call that neither
        returned nor raised. None means the batch itself could not be made (the budget is
        spent, a call of this test timed out, or the worker went away): make the calls one
        by one instead, which reports exactly what happened.

        ``shared`` runs the calls one after another in a single child instead (each sees
        what the earlier ones left behind), which is many times cheaper. Such replies can
        confirm that every call agrees with an oracle, nothing more: a time-out there is
        not charged to the learner, and anything unexpected must be tried again apart."""
        if not calls or self.budget_exhausted() or self._timed_out_in_test:
            return None
        self._ensure_running()
        self._share_workdir()
        self._calls += 1
        outputs = [self.outdir / f"output-{self._calls}-{n}.txt" for n in range(len(calls))]
        requests = [
            {
                **call.head,
                "args": codec.encode(list(call.args)),
                "kwargs": codec.encode(dict(call.kwargs)),
                "output": str(output),
            }
            for call, output in zip(calls, outputs, strict=True)
        ]
        limit = self.timeout if timeout is None else timeout
        try:
            message = {"batch": requests, "limit": limit, "shared": shared}
            protocol.write_frame(self._request_w, message)
            # The worker times each call; this only guards against the worker itself.
            raw = protocol.read_frame(self._response_r, limit * len(calls) + 10)
            answers = list(raw["replies"])
        except (protocol.ChannelTimeout, protocol.ChannelClosed, ValueError, OSError, KeyError):
            self._kill()
            for output in outputs:
                _tail(output)  # removes the file
            return None
        replies = []
        for answer, output in zip(answers, outputs, strict=False):
            if answer.get("status") == "timeout":
                reply = Reply("timeout", output=_tail(output), detail=f"{limit:g}")
            else:
                reply = _reply(answer, _tail(output))
            replies.append(reply)
        for output in outputs[len(replies) :]:
            _tail(output)
        for reply in [] if shared else replies:
            if reply.output.strip():
                self.recent_output.append(reply.output)
        if replies and replies[-1].status == "timeout":
            self._kill()  # as after any time-out: nothing the stuck call started survives
            if shared:
                return replies  # a guess that did not work out: not the learner's time-out
            self.timed_out_seconds += limit
            if self._tests_tracked:
                self._timed_out_in_test = f"{limit:g}"
        return replies


@dataclass
class Call:
    """One call to make in a batch: a function of the learner's module or a grader's act."""

    head: dict[str, Any]
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def function(cls, func: str, *args: Any, **kwargs: Any) -> Call:
        return cls({"func": func}, args, kwargs)

    @classmethod
    def act(cls, act: Any, *args: Any, **kwargs: Any) -> Call:
        return cls({"act": [act.__module__, act.__qualname__]}, args, kwargs)


def _reply(raw: dict[str, Any], output: str) -> Reply:
    """A worker's answer to one call, as a Reply."""
    status = raw.get("status")
    if status == "returned":
        try:
            return Reply("returned", value=codec.decode(raw.get("value")), output=output)
        except (ValueError, TypeError, KeyError):
            return Reply("unencodable", detail="malformed result", output=output)
    if status == "raised":
        return Reply("raised", error=raw.get("error", {}), output=output)
    if status == "missing":
        return Reply("missing", detail=str(raw.get("name")), output=output)
    if status == "unencodable":
        return Reply("unencodable", detail=str(raw.get("reason")), output=output)
    return Reply("crashed", output=output, detail=_crash_detail(raw))


def _tail(path: Path) -> str:
    try:
        with open(path, "rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(0, size - OUTPUT_TAIL))
            text = handle.read().decode("utf-8", "replace")
    except OSError:
        return ""
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
    return ("…" + text) if size > OUTPUT_TAIL else text


SIGNAL_HINTS = {
    "SIGXFSZ": " (it wrote more than the file-size limit)",
    "SIGXCPU": " (it used up its CPU-time limit)",
    "SIGKILL": " (killed, often for using too much memory)",
    "SIGSEGV": " (a segmentation fault)",
}


def _crash_detail(raw: dict[str, Any]) -> str:
    if "signal" in raw:
        number = raw["signal"]
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = str(number)
        return f"the process was killed by {name}{SIGNAL_HINTS.get(name, '')}"
    return (
        f"the process exited with status {raw.get('exitcode')} before returning "
        "(does the code call sys.exit() or os._exit()?)"
    )


def _import_message(info: dict[str, Any], sandbox: Sandbox) -> str:
    name = sandbox.learner_file.name
    if info.get("type") in {"SyntaxError", "IndentationError", "TabError"}:
        where = f"{info.get('file') or name}, line {info.get('line')}"
        text = f": {info['text'].strip()}" if info.get("text") else ""
        return f"{info['type']} in {where}: {info.get('message')}{text}"
    frames = info.get("frames") or []
    where = f" ({frames[-1][0]}, line {frames[-1][1]})" if frames else ""
    return f"importing {name} raised {info.get('type')}: {info.get('message')}{where}"
