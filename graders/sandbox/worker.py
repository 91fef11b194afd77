"""The sandbox process: imports the learner's module and runs one call per request.

Each request runs in a forked child, so a crash, ``os._exit`` or leaked state in one
call cannot affect the next. Only plain data (see :mod:`codec`) goes back to the judge.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import signal
import sys
import traceback
from typing import Any

from graders.sandbox import codec, protocol

MESSAGE_LIMIT = 2000


def _safe_text(value: object) -> str:
    try:
        return str(value)[:MESSAGE_LIMIT]
    except BaseException:  # a hostile __str__ must not take the worker down
        return "<message could not be shown>"


def describe_exception(exc: BaseException, learner_dir: str) -> dict[str, Any]:
    """Summarise an exception as plain data, keeping only frames from the learner's files."""
    frames = []
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.startswith(learner_dir):
            frames.append([os.path.basename(frame.filename), frame.lineno, frame.name, frame.line])
    info: dict[str, Any] = {
        "type": type(exc).__name__,
        "mro": [cls.__name__ for cls in type(exc).__mro__],
        "message": _safe_text(exc),
        "frames": frames[-3:],
    }
    if isinstance(exc, SyntaxError):
        info["file"] = os.path.basename(exc.filename or "")
        info["line"] = exc.lineno
        info["text"] = (exc.text or "").rstrip()
        info["message"] = _safe_text(exc.msg)
    return info


class Worker:
    """Serves calls against one learner module."""

    def __init__(self, request_fd: int, response_fd: int) -> None:
        self.request_fd = request_fd
        self.response_fd = response_fd
        self.module: Any = None
        self.learner_dir = ""

    def start(self) -> None:
        """Read the configuration from the judge, then serve (used when started by exec)."""
        self.serve_config(protocol.read_frame(self.request_fd))

    def serve_config(self, config: dict[str, Any]) -> None:
        """Preload grader code, import the learner's module, report, then serve calls."""
        self.learner_dir = os.path.realpath(config["learner_dir"])
        try:
            for name in config.get("preload", []):
                importlib.import_module(
                    name
                )  # grader code first, before learner files can shadow it
        except BaseException as exc:  # a broken grader file is not the learner's fault
            protocol.write_frame(
                self.response_fd,
                {"grader_error": traceback.format_exc(limit=3), "type": type(exc).__name__},
            )
            return
        sys.path.insert(0, self.learner_dir)
        try:
            self.module = importlib.import_module(config["module"])
        except BaseException as exc:  # report any failure at import, even SystemExit
            protocol.write_frame(
                self.response_fd, {"import_error": describe_exception(exc, self.learner_dir)}
            )
            return
        protocol.write_frame(self.response_fd, {"ready": True})
        # Every call runs in a fork of this process. A full garbage collection in a child
        # walks (and so copies) every inherited object, costing tens of milliseconds per
        # call; frozen objects are never walked, and the child's own garbage still is.
        gc.freeze()
        self.serve()

    def serve(self) -> None:
        while True:
            try:
                request = protocol.read_frame(self.request_fd)
            except protocol.ChannelClosed:
                return
            if "batch" in request:
                run = self.run_shared if request.get("shared") else self.run_batch
                reply = {"replies": run(request["batch"], float(request["limit"]))}
            else:
                reply = self.run_isolated(request)
            protocol.write_frame(self.response_fd, reply)

    def run_batch(self, requests: list[dict[str, Any]], limit: float) -> list[dict[str, Any]]:
        """Run many calls, each in its own child as if sent one by one, without a round trip
        to the judge between them. A call that does not finish within ``limit`` seconds is
        killed and answered "timeout"; the batch stops at the first call that neither returned
        nor raised, as the judge would have stopped sending."""
        replies = []
        for request in requests:
            reply = self.run_isolated(request, limit)
            replies.append(reply)
            if reply.get("status") not in ("returned", "raised"):
                break
        return replies

    def run_shared(self, requests: list[dict[str, Any]], limit: float) -> list[dict[str, Any]]:
        """Run many calls one after another in a single child: much cheaper than a child per
        call, but each call sees what the earlier ones left behind. The judge uses it only to
        confirm a pass, and makes the calls apart whenever anything else comes back."""
        if not requests or not hasattr(os, "fork"):
            return []
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(reader)
            code = 0
            try:
                self._redirect_output(requests[0].get("output"))
                for request in requests:
                    protocol.write_frame(writer, self.execute(request))
            except BaseException:
                code = 70
            finally:
                os._exit(code)
        os.close(writer)
        replies: list[dict[str, Any]] = []
        try:
            for _ in requests:
                reply = protocol.read_frame(reader, limit)
                replies.append(reply)
                if reply.get("status") not in ("returned", "raised"):
                    break
        except protocol.ChannelTimeout:
            replies.append({"status": "timeout"})
        except protocol.ChannelClosed:
            replies.append({"status": "crashed"})
        finally:
            os.close(reader)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        return replies

    def run_isolated(self, request: dict[str, Any], limit: float | None = None) -> dict[str, Any]:
        if not hasattr(os, "fork"):
            return self.execute(request)
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: run the call, report, and leave without cleanup
            os.close(reader)
            code = 0
            try:
                self._redirect_output(request.get("output"))
                protocol.write_frame(writer, self.execute(request))
            except BaseException:
                code = 70
            finally:
                os._exit(code)
        os.close(writer)
        try:
            reply = protocol.read_frame(reader, limit)
        except protocol.ChannelClosed:
            reply = None
        except protocol.ChannelTimeout:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return {"status": "timeout"}
        finally:
            os.close(reader)
        _, status = os.waitpid(pid, 0)
        if reply is not None:
            return reply
        crash: dict[str, Any] = {"status": "crashed"}
        if os.WIFSIGNALED(status):
            crash["signal"] = os.WTERMSIG(status)
        else:
            crash["exitcode"] = os.WEXITSTATUS(status)
        return crash

    @staticmethod
    def _redirect_output(path: str | None) -> None:
        if not path:
            return
        sys.stdout.flush()
        sys.stderr.flush()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)

    def execute(self, request: dict[str, Any]) -> dict[str, Any]:
        args = codec.decode(request.get("args", []))
        kwargs = codec.decode(request.get("kwargs", {"$dict": []}))
        if request.get("act"):
            module_name, qualname = request["act"]
            target: Any = importlib.import_module(module_name)
            for part in qualname.split("."):
                target = getattr(target, part)
            args = [self.module, *args]
        else:
            name = request["func"]
            target = getattr(self.module, name, None)
            if target is None:
                return {"status": "missing", "name": name}
        try:
            value = target(*args, **kwargs)
        except BaseException as exc:  # SystemExit and KeyboardInterrupt are learner bugs too
            return {"status": "raised", "error": describe_exception(exc, self.learner_dir)}
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        try:
            return {"status": "returned", "value": codec.encode(value)}
        except ValueError as exc:
            return {"status": "unencodable", "reason": str(exc)}


def main() -> None:
    request_fd, response_fd = int(sys.argv[1]), int(sys.argv[2])
    Worker(request_fd, response_fd).start()


if __name__ == "__main__":
    main()
