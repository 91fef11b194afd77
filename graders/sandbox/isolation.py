"""Isolation for sandbox workers: limits, namespaces, hidden paths and an unprivileged user.

Everything here runs in the worker process after fork and before the learner's module is
imported. Each layer is used only where the machine allows it, and ``Isolation.report``
says which ones were active, so a report never claims a protection that was not there.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import os
import signal
import socket
import struct
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

try:
    import resource
except ImportError:  # pragma: no cover - not on Windows
    resource = None  # type: ignore[assignment]

MiB = 1024 * 1024
CLONE_NEWNS = 0x00020000
CLONE_NEWNET = 0x40000000
MS_RDONLY, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 32, 4096, 16384, 1 << 18
SANDBOX_UID_BASE = 61000  # job slot N runs learner code as user 61000 + N
KEEP_ENV = ("PATH", "LANG", "LC_ALL", "TZ", "SYSTEMROOT")


@dataclass
class Isolation:
    """What a worker may use and see. ``None`` or empty leaves a layer off."""

    file_size: int | None = 256 * MiB
    address_space: int | None = None
    cpu_seconds: int | None = None
    processes: int | None = None
    uid: int | None = None  # run as this unprivileged user (only when started as root)
    hide: list[str] = field(default_factory=list)  # folders replaced by an empty tmpfs
    read_only: list[str] = field(default_factory=list)  # folders made read-only
    private_network: bool = False  # a network namespace with only loopback
    scratch: str = ""  # a folder of the judge's where mount points for Python can be made

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Isolation:
        return cls(**data)

    @classmethod
    def full(
        cls,
        *,
        uid: int | None,
        hide: list[str],
        read_only: list[str],
        memory_mb: int = 1024,
        cpu_seconds: int = 60,
        network: bool = False,
    ) -> Isolation:
        """Every protection this machine can give; ``network`` keeps the host's loopback."""
        can_switch_user = hasattr(os, "geteuid") and os.geteuid() == 0
        return cls(
            file_size=64 * MiB,
            address_space=memory_mb * MiB,
            cpu_seconds=cpu_seconds,
            processes=256 if can_switch_user else None,  # per user: only safe for our own uid
            uid=uid if can_switch_user else None,
            hide=hide if can_switch_user else [],
            read_only=read_only if can_switch_user else [],
            private_network=not network and can_switch_user,
        )

    def report(self) -> list[str]:
        """Plain names of the protections this configuration turns on."""
        active = [
            "separate process per call",
            "wall-clock limit",
            "scrubbed environment",
            "private working copy",
        ]
        if resource is not None:
            for name, value in (
                ("file-size limit", self.file_size),
                ("memory limit", self.address_space),
                ("CPU-time limit", self.cpu_seconds),
                ("process-count limit", self.processes if self.uid else None),
            ):
                if value is not None:
                    active.append(name)
        if self.uid is not None:
            active.append(f"unprivileged user {self.uid}")
        if self.hide:
            active.append("solutions and other submissions hidden (mount namespace)")
        if self.private_network:
            active.append("no network (private network namespace)")
        return active


def scrubbed_env(home: str, pythonpath: str) -> dict[str, str]:
    """An environment with nothing from the caller but locale and PATH: no tokens leak."""
    env = {key: os.environ[key] for key in KEEP_ENV if key in os.environ}
    env.update(
        HOME=home,
        TMPDIR=home,
        PYTHONPATH=pythonpath,
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONIOENCODING="utf-8",
        PYTHONHASHSEED="0",
        PYTHONNOUSERSITE="1",
    )
    env.setdefault("PATH", os.path.dirname(sys.executable))
    return env


# -- the layers ----------------------------------------------------------------------
def _libc() -> Any:
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _loopback_up() -> None:
    """A new network namespace starts with loopback down; bring it up for local sockets."""
    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH14s", b"lo", 0, b"\0" * 14)
        flags = struct.unpack("16sH14s", fcntl.ioctl(sock, siocgifflags, request))[1]
        fcntl.ioctl(sock, siocsifflags, struct.pack("16sH14s", b"lo", flags | iff_up, b"\0" * 14))


def _namespaces(config: Isolation) -> None:
    flags = (CLONE_NEWNS if config.hide or config.read_only else 0) | (
        CLONE_NEWNET if config.private_network else 0
    )
    if not flags:
        return
    libc = _libc()
    _check(libc.unshare(flags), "unshare")
    if config.private_network:
        _loopback_up()
    if flags & CLONE_NEWNS:
        _check(libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "make mounts private")
        if config.uid is not None and config.scratch:
            _expose_python(libc, Path(config.scratch))
        for path in config.hide:
            if os.path.isdir(path):
                _check(
                    libc.mount(b"tmpfs", path.encode(), b"tmpfs", 0, b"size=64k,mode=0755"),
                    f"hide {path}",
                )
        for path in config.read_only:
            if os.path.isdir(path):
                _check(
                    libc.mount(path.encode(), path.encode(), None, MS_BIND | MS_REC, None),
                    f"bind {path}",
                )
                _check(
                    libc.mount(
                        None, path.encode(), None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC, None
                    ),
                    f"read-only {path}",
                )


def _python_paths() -> list[Path]:
    """Folders the interpreter needs to keep importing after it stops being root."""
    candidates = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(sys.executable)}
    candidates.update(p for p in sys.path if p)
    return sorted({Path(os.path.realpath(p)) for p in candidates if os.path.exists(p)})


def _first_blocked(paths: list[Path]) -> tuple[Path, set[str]] | None:
    """The shallowest folder others cannot enter on the way to a needed path, with the
    names inside it that must stay reachable."""
    blocked: dict[Path, set[str]] = {}
    for path in paths:
        parts = path.parts
        for depth in range(1, len(parts)):
            ancestor = Path(*parts[:depth])
            if not os.stat(ancestor).st_mode & 0o001:
                blocked.setdefault(ancestor, set()).add(parts[depth])
                break
    if not blocked:
        return None
    ancestor = min(blocked, key=lambda folder: len(folder.parts))
    return ancestor, blocked[ancestor]


def _bind(libc: Any, source: Path, target: Path) -> None:
    _check(
        libc.mount(str(source).encode(), str(target).encode(), None, MS_BIND | MS_REC, None),
        f"bind {source}",
    )


def _expose_python(libc: Any, scratch: Path) -> None:
    """Let the unprivileged sandbox user reach the interpreter's own files, and nothing else.

    When Python lives under a private folder (e.g. /root/.pyenv), that folder is covered,
    in this mount namespace only, by an empty tmpfs that holds just the needed entries.
    """
    needed = _python_paths()
    for round_number in range(8):
        found = _first_blocked(needed)
        if found is None:
            return
        folder, names = found
        saved = []
        for index, name in enumerate(sorted(names)):
            original = folder / name
            holder = scratch / f"python-{os.getpid()}-{round_number}-{index}"
            if original.is_dir():
                holder.mkdir()
            else:
                holder.touch()
            _bind(libc, original, holder)
            saved.append((name, holder, original.is_dir()))
        _check(
            libc.mount(b"tmpfs", str(folder).encode(), b"tmpfs", 0, b"size=64k,mode=0755"),
            f"open {folder}",
        )
        for name, holder, is_dir in saved:
            entry = folder / name
            if is_dir:
                entry.mkdir()
            else:
                entry.touch()
            _bind(libc, holder, entry)


def _limits(config: Isolation) -> None:
    if resource is None:
        return
    pairs = [
        (resource.RLIMIT_FSIZE, config.file_size),
        # RLIMIT_DATA counts memory made writable; RLIMIT_AS would also count the big
        # address-space reservations glibc makes per thread, and break threaded code.
        (getattr(resource, "RLIMIT_DATA", resource.RLIMIT_AS), config.address_space),
        (resource.RLIMIT_CPU, config.cpu_seconds),
        (getattr(resource, "RLIMIT_NPROC", None), config.processes),
        (resource.RLIMIT_CORE, 0),
    ]
    for which, value in pairs:
        if which is not None and value is not None:
            resource.setrlimit(which, (value, value))


def _drop_privileges(uid: int) -> None:
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)


def apply(config: Isolation) -> None:
    """Enter the sandbox: namespaces and mounts first (they need root), then drop root."""
    _namespaces(config)
    if config.uid is not None:
        _drop_privileges(config.uid)
    _limits(config)


def kill_user_processes(uid: int) -> None:
    """Kill every process of a sandbox user, including ones that escaped their group."""
    if not hasattr(os, "fork") or os.geteuid() != 0:
        return
    for _ in range(2):  # a second pass catches children forked during the first
        pid = os.fork()
        if pid == 0:
            try:
                os.setuid(uid)
                os.kill(-1, signal.SIGKILL)
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
