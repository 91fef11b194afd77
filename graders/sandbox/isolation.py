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
import time
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
    hide: list[str] = field(default_factory=list)  # folders covered by an empty tmpfs
    read_only: list[str] = field(default_factory=list)  # extra folders visible, read-only
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
        if self.uid is not None:
            active.append(
                "a minimal private root: no solutions, other submissions or home "
                "folders visible (mount namespace + chroot)"
            )
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


SYSTEM_PATHS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")


def _namespaces(config: Isolation) -> None:
    filesystem = bool(config.uid is not None and config.scratch)
    flags = (CLONE_NEWNS if filesystem else 0) | (CLONE_NEWNET if config.private_network else 0)
    if not flags:
        return
    libc = _libc()
    _check(libc.unshare(flags), "unshare")
    if config.private_network:
        _loopback_up()
    if filesystem:
        _check(libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "make mounts private")
        _enter_minimal_root(libc, config)


def _bind(libc: Any, source: Path, target: Path, *, read_only: bool) -> None:
    _check(
        libc.mount(str(source).encode(), str(target).encode(), None, MS_BIND | MS_REC, None),
        f"bind {source}",
    )
    if read_only:
        _check(
            libc.mount(
                None, str(target).encode(), None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC, None
            ),
            f"read-only {source}",
        )


def _tmpfs(libc: Any, target: Path, options: bytes) -> None:
    _check(libc.mount(b"tmpfs", str(target).encode(), b"tmpfs", 0, options), f"tmpfs {target}")


def _python_paths() -> list[Path]:
    """The interpreter and its libraries (the venv and the Python it was made from)."""
    candidates = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    return sorted({Path(os.path.realpath(p)) for p in candidates if os.path.isdir(p)})


def _enter_minimal_root(libc: Any, config: Isolation) -> None:
    """Build a new root holding only what learner code needs, then chroot into it.

    Everything else on the machine (other checkouts, home folders, the solutions, other
    submissions, the grading output) simply does not exist for the worker. Paths keep their
    names, so the interpreter, the venv and the grader package work unchanged.
    """
    scratch = Path(config.scratch)
    new_root = scratch / f"root-{os.getpid()}"
    new_root.mkdir()
    _tmpfs(libc, new_root, b"size=16m,mode=0755")

    def inside(path: Path) -> Path:
        return new_root / path.relative_to("/")

    def keep(path: Path, *, read_only: bool) -> None:
        if path.is_symlink() and str(path) in SYSTEM_PATHS:  # e.g. /bin -> usr/bin
            inside(path).parent.mkdir(parents=True, exist_ok=True)
            os.symlink(os.readlink(path), inside(path))
            return
        if not path.exists():
            return
        target = inside(path)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.touch()
        _bind(libc, path, target, read_only=read_only)

    # A small private /tmp first: what is bound below may live under /tmp (a venv, the
    # sandbox's own folders) and must stay visible on top of it.
    (new_root / "tmp").mkdir()
    _tmpfs(libc, new_root / "tmp", b"size=64m,mode=1777")
    for name in SYSTEM_PATHS:
        keep(Path(name), read_only=True)
    keep(Path("/dev"), read_only=False)  # device nodes; root-owned, so nothing new can be made
    keep(Path("/proc"), read_only=False)
    if inside(Path("/dev/shm")).is_dir():
        _tmpfs(libc, inside(Path("/dev/shm")), b"size=16m,mode=1777")
    for path in _python_paths():
        keep(path, read_only=True)
    for extra in config.read_only:
        keep(Path(extra), read_only=True)
    keep(scratch / "learner", read_only=True)  # the private copy of the learner's files
    for writable in ("work", "out"):
        keep(scratch / writable, read_only=False)
    for hidden in config.hide:
        target = inside(Path(hidden))
        if target.is_dir() and not target.is_symlink():
            _tmpfs(libc, target, b"size=64k,mode=0755")
    cwd = os.getcwd()
    os.chroot(new_root)
    os.chdir(cwd if os.path.isdir(cwd) else "/")


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


def user_processes(uid: int) -> list[int]:
    """Live (not zombie) processes owned by ``uid``, read from /proc."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid != uid:
                continue
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as handle:
                if handle.read().rsplit(")", 1)[1].split()[0] == "Z":
                    continue
        except (OSError, IndexError):
            continue
        found.append(int(entry.name))
    return found


def kill_user_processes(uid: int, rounds: int = 200) -> None:
    """Kill every process of a sandbox user, including ones that escaped their group, and
    keep at it until none is left (a fork bomb keeps making new ones while it dies)."""
    if not hasattr(os, "fork") or os.geteuid() != 0:
        return
    for _ in range(rounds):
        pid = os.fork()
        if pid == 0:
            try:
                os.setuid(uid)
                os.kill(-1, signal.SIGKILL)  # every process this user owns, except this one
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        if not user_processes(uid):
            return
        time.sleep(0.005)
