"""The judge's side of the sandbox: start a worker, send calls, survive anything it does."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graders.paths import REPO_ROOT
from graders.sandbox import codec, protocol
from graders.sandbox.limits import Limits, sandbox_env

OUTPUT_TAIL = 1500
COPY_LIMIT = 5 * 1024 * 1024


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
        if path.is_file() and path.suffix in {".py", ".sql", ".json", ".txt", ".csv", ".toml"}:
            total += path.stat().st_size
            if total > COPY_LIMIT:
                raise SandboxError("too_large", f"{source_dir} holds more than 5 MiB of files")
            shutil.copyfile(path, dest / path.name)


class Sandbox:
    """One learner module served by a separate worker process."""

    def __init__(
        self,
        learner_file: Path,
        *,
        preload: tuple[str, ...] = (),
        timeout: float = 10.0,
        import_timeout: float = 20.0,
        limits: Limits | None = None,
    ) -> None:
        self.learner_file = learner_file
        self.module_name = learner_file.stem
        self.preload = preload
        self.timeout = timeout
        self.import_timeout = import_timeout
        self.limits = limits or Limits()
        self.root = Path(tempfile.mkdtemp(prefix="grader-"))
        self.workdir = self.root / "work"
        self.workdir.mkdir()
        self.learner_dir = self.root / "learner"
        self.process: subprocess.Popen[bytes] | None = None
        self.import_error: SandboxError | None = None
        self._calls = 0

    # -- lifecycle -----------------------------------------------------------------
    def start(self) -> None:
        if not self.learner_file.is_file():
            raise SandboxError("missing_file", f"{self.learner_file} does not exist")
        copy_learner_files(self.learner_file.parent, self.learner_dir)
        request_r, request_w = os.pipe()
        response_r, response_w = os.pipe()
        log = open(self.root / "worker.log", "wb")  # noqa: SIM115 - handed to the child
        try:
            env = sandbox_env(str(self.workdir), str(REPO_ROOT), self.limits)
            self.process = subprocess.Popen(
                [sys.executable, "-m", "graders.sandbox.worker", str(request_r), str(response_w)],
                pass_fds=(request_r, response_w),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.workdir,
                env=env,
                start_new_session=True,
                preexec_fn=self.limits.apply if os.name == "posix" else None,  # noqa: PLW1509
            )
        finally:
            log.close()
            os.close(request_r)
            os.close(response_w)
        self._request_w, self._response_r = request_w, response_r
        config = {
            "learner_dir": str(self.learner_dir),
            "module": self.module_name,
            "preload": list(self.preload),
        }
        protocol.write_frame(self._request_w, config)
        try:
            hello = protocol.read_frame(self._response_r, self.import_timeout)
        except protocol.ChannelTimeout:
            self._kill()
            self.import_error = SandboxError(
                "import_timeout",
                f"importing {self.learner_file.name} did not finish within "
                f"{self.import_timeout:g} s (is there a loop at the top level of the file?)",
            )
            return
        except (protocol.ChannelClosed, ValueError):
            code = self._kill()
            self.import_error = SandboxError(
                "import_crash",
                f"the process ended while importing {self.learner_file.name}"
                + (f" (exit status {code})" if code is not None else ""),
            )
            return
        if "grader_error" in hello:
            self._kill()
            self.import_error = SandboxError(
                "grader_error",
                f"the grader could not be loaded in the sandbox: {hello['grader_error']}",
            )
        elif "import_error" in hello:
            info = hello["import_error"]
            self.import_error = SandboxError("import_error", _import_message(info, self), info)

    def close(self) -> None:
        self._kill()
        shutil.rmtree(self.root, ignore_errors=True)

    def _kill(self) -> int | None:
        process, self.process = self.process, None
        for fd_name in ("_request_w", "_response_r"):
            fd = getattr(self, fd_name, None)
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
                setattr(self, fd_name, None)
        if process is None:
            return None
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        try:
            return process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return None

    def _ensure_running(self) -> None:
        if self.process is None and self.import_error is None:
            self.start()
        if self.import_error is not None:
            raise self.import_error

    # -- calls ---------------------------------------------------------------------
    def call(self, func: str, *args: Any, **kwargs: Any) -> Reply:
        """Call a module-level function of the learner's module with plain-data arguments."""
        return self._request({"func": func}, args, kwargs, None)

    def run(self, act: Any, *args: Any, timeout: float | None = None, **kwargs: Any) -> Reply:
        """Run a grader's act function (module-level) in the sandbox: act(module, *args)."""
        return self._request({"act": [act.__module__, act.__qualname__]}, args, kwargs, timeout)

    def _request(
        self, head: dict[str, Any], args: Any, kwargs: Any, timeout: float | None
    ) -> Reply:
        self._ensure_running()
        self._calls += 1
        output_file = self.workdir.parent / f"output-{self._calls}.txt"
        request = {
            **head,
            "args": codec.encode(list(args)),
            "kwargs": codec.encode(dict(kwargs)),
            "output": str(output_file),
        }
        limit = self.timeout if timeout is None else timeout
        protocol.write_frame(self._request_w, request)
        try:
            raw = protocol.read_frame(self._response_r, limit)
        except protocol.ChannelTimeout:
            self._kill()
            return Reply("timeout", output=_tail(output_file), detail=f"{limit:g}")
        except (protocol.ChannelClosed, ValueError):
            self._kill()
            return Reply(
                "crashed", output=_tail(output_file), detail="the sandbox stopped answering"
            )
        output = _tail(output_file)
        status = raw.get("status")
        if status == "returned":
            return Reply("returned", value=codec.decode(raw.get("value")), output=output)
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
        path.unlink(missing_ok=True)
    return ("…" + text) if size > OUTPUT_TAIL else text


def _crash_detail(raw: dict[str, Any]) -> str:
    if "signal" in raw:
        number = raw["signal"]
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = str(number)
        hints = {
            "SIGXFSZ": " (it wrote more than the file-size limit)",
            "SIGXCPU": " (CPU time limit)",
            "SIGKILL": " (killed, often for using too much memory)",
            "SIGSEGV": " (segfault)",
        }
        return f"the process was killed by {name}{hints.get(name, '')}"
    return f"the process exited with status {raw.get('exitcode')} before returning"


def _import_message(info: dict[str, Any], sandbox: Sandbox) -> str:
    name = sandbox.learner_file.name
    if info.get("type") in {"SyntaxError", "IndentationError", "TabError"}:
        line = info.get("line")
        where = f"{info.get('file') or name}, line {line}"
        text = f": {info['text'].strip()}" if info.get("text") else ""
        return f"{info['type']} in {where}: {info.get('message')}{text}"
    frames = info.get("frames") or []
    where = f" ({frames[-1][0]}, line {frames[-1][1]})" if frames else ""
    return f"importing {name} raised {info.get('type')}: {info.get('message')}{where}"
