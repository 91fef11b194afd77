"""Resource limits and environment for sandbox processes (applied in the child before exec)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field

try:
    import resource
except ImportError:  # not on Windows: limits are then reported as inactive
    resource = None  # type: ignore[assignment]

MiB = 1024 * 1024
KEEP_ENV = ("PATH", "LANG", "LC_ALL", "TZ", "SYSTEMROOT")


@dataclass(frozen=True)
class Limits:
    """What a sandbox process may use; ``None`` leaves that resource unlimited."""

    file_size: int | None = 256 * MiB
    address_space: int | None = None
    cpu_seconds: int | None = None
    processes: int | None = None
    extra_env: dict[str, str] = field(default_factory=dict)

    def active(self) -> list[str]:
        """Names of the protections this configuration turns on, for reports."""
        if resource is None:
            return []
        names = {
            "file size": self.file_size,
            "address space": self.address_space,
            "CPU time": self.cpu_seconds,
            "process count": self.processes,
        }
        return [name for name, value in names.items() if value is not None]

    def apply(self) -> None:
        """Install the limits in the current process (called between fork and exec)."""
        if resource is None:
            return
        pairs = [
            (resource.RLIMIT_FSIZE, self.file_size),
            (resource.RLIMIT_AS, self.address_space),
            (resource.RLIMIT_CPU, self.cpu_seconds),
            (getattr(resource, "RLIMIT_NPROC", None), self.processes),
        ]
        for which, value in pairs:
            if which is not None and value is not None:
                resource.setrlimit(which, (value, value))


def sandbox_env(workdir: str, pythonpath: str, limits: Limits) -> dict[str, str]:
    """A scrubbed environment: no secrets or tokens from the caller leak into learner code."""
    env = {key: os.environ[key] for key in KEEP_ENV if key in os.environ}
    env.update(
        HOME=workdir,
        TMPDIR=workdir,
        PYTHONPATH=pythonpath,
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONIOENCODING="utf-8",
        PYTHONHASHSEED="0",
        PYTHONNOUSERSITE="1",
    )
    env.setdefault("PATH", os.path.dirname(sys.executable))
    env.update(limits.extra_env)
    return env
