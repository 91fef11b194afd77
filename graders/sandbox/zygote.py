"""A warm parent for sandbox workers: a fork of the judge taken after the grader suites are
imported, which then forks a worker per exercise in a few milliseconds.

The zygote never runs learner code itself. Each forked worker isolates itself
(:mod:`isolation`) before it imports the learner's module.
"""

from __future__ import annotations

import contextlib
import faulthandler
import importlib
import io
import json
import logging
import os
import signal
import socket
import sys
import threading
import warnings
from typing import Any

from graders.sandbox import isolation

MAX_MESSAGE = 1 << 20


def _fresh_interpreter_state() -> None:
    """Undo what the judge's pytest left in this forked process: captured output streams,
    warning filters that turn warnings into errors, log handlers and signal handlers."""
    sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    sys.stdout = io.TextIOWrapper(
        io.FileIO(1, "w", closefd=False), encoding="utf-8", line_buffering=True
    )
    sys.stderr = io.TextIOWrapper(
        io.FileIO(2, "w", closefd=False), encoding="utf-8", line_buffering=True
    )
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = sys.stdin, sys.stdout, sys.stderr
    importlib.reload(warnings)  # pytest's catch_warnings(record=True) swapped out the printer
    warnings.resetwarnings()
    warnings.simplefilter("ignore", DeprecationWarning)
    logging.root.handlers.clear()
    logging.root.setLevel(logging.WARNING)
    faulthandler.disable()
    for number in (signal.SIGALRM, signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
        signal.signal(
            number, signal.SIG_DFL if number != signal.SIGINT else signal.default_int_handler
        )


def _become_worker(config: dict[str, Any], fds: list[int], control: socket.socket) -> None:
    """In the forked child: detach, isolate, and serve as a worker; never returns."""
    code = 0
    try:
        control.close()
        os.setsid()
        request_r, response_w, log_fd = fds
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        os.close(log_fd)
        _fresh_interpreter_state()
        os.chdir(config["workdir"])
        os.environ.clear()
        os.environ.update(config["env"])
        isolation.apply(isolation.Isolation.from_dict(config["isolation"]))
        from graders.sandbox.worker import Worker

        Worker(request_r, response_w).serve_config(config["worker"])
    except BaseException:  # noqa: BLE001 - the judge sees the closed pipe and reports it
        code = 71
    finally:
        os._exit(code)


def serve(control: socket.socket) -> None:
    """Answer spawn requests until the judge closes the socket."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # workers are reaped automatically
    while True:
        try:
            data, fds, _flags, _addr = socket.recv_fds(control, MAX_MESSAGE, 3)
        except OSError:
            return
        if not data:
            return
        config = json.loads(data)
        pid = os.fork()
        if pid == 0:
            _become_worker(config, fds, control)
        for fd in fds:
            os.close(fd)
        control.sendall(json.dumps({"pid": pid}).encode() + b"\n")


def _fork_zygote(preload: list[str], cwd: str) -> tuple[int, socket.socket]:
    """Fork the judge itself: its imports (pytest, graders, grader suites) come for free."""
    for name in preload:  # normally already imported by pytest's collection
        with contextlib.suppress(Exception):
            importlib.import_module(name)
    importlib.import_module("graders.sandbox.worker")
    parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    pid = os.fork()
    if pid == 0:  # the zygote: keep only its control socket, then serve
        try:
            parent.close()
            os.setsid()
            keep = child.fileno()
            os.closerange(3, keep)
            os.closerange(keep + 1, 1 << 16)
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            os.chdir(cwd)
            serve(child)
        finally:
            os._exit(0)
    child.close()
    return pid, parent


class ZygoteClient:
    """The judge's handle on one zygote process."""

    def __init__(self, preload: list[str], cwd: str) -> None:
        self._lock = threading.Lock()
        self.pid, self.socket = _fork_zygote(preload, cwd)
        self._reader = self.socket.makefile("rb")
        self._exited = False

    def alive(self) -> bool:
        if self._exited:
            return False
        try:
            pid, _ = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            pid = self.pid
        self._exited = pid == self.pid
        return not self._exited

    def spawn(self, config: dict[str, Any], fds: list[int]) -> int:
        """Fork a worker with these pipe ends; returns its pid (also its process group)."""
        with self._lock:
            socket.send_fds(self.socket, [json.dumps(config).encode()], fds)
            line = self._reader.readline()
        if not line:
            raise OSError("the sandbox zygote stopped")
        return int(json.loads(line)["pid"])

    def close(self) -> None:
        self._reader.close()
        self.socket.close()
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
        self._exited = True
