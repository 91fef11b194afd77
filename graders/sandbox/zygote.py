"""A warm parent for sandbox workers: it imports the graders once, then forks a worker per
exercise in a few milliseconds instead of starting a fresh interpreter each time.

The zygote never runs learner code itself. Each forked worker isolates itself
(:mod:`isolation`) before it imports the learner's module.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import signal
import socket
import sys
import threading
from typing import Any

from graders.sandbox import isolation

MAX_MESSAGE = 1 << 20


def _become_worker(config: dict[str, Any], fds: list[int], control: socket.socket) -> None:
    """In the forked child: detach, isolate, and serve as a worker; never returns."""
    code = 0
    try:
        control.close()
        os.setsid()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        request_r, response_w, log_fd = fds
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        os.close(log_fd)
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


def main() -> None:
    control = socket.socket(fileno=int(sys.argv[1]))
    preload = json.loads(sys.argv[2])
    importlib.import_module("graders.sandbox.worker")
    for name in preload:
        # A broken grader file is reported precisely by the worker that needs it.
        with contextlib.suppress(Exception):
            importlib.import_module(name)
    serve(control)


class ZygoteClient:
    """The judge's handle on one zygote process."""

    def __init__(self, preload: list[str], env: dict[str, str], cwd: str) -> None:
        import subprocess

        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self._lock = threading.Lock()
        self.socket = parent
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "graders.sandbox.zygote",
                str(child.fileno()),
                json.dumps(preload),
            ],
            pass_fds=(child.fileno(),),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=cwd,
            env=env,
            start_new_session=True,
        )
        child.close()
        self._reader = parent.makefile("rb")
        self.preload = set(preload)

    def alive(self) -> bool:
        return self.process.poll() is None

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
            self.process.kill()
        self.process.wait()


if __name__ == "__main__":
    main()
