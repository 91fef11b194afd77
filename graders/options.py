"""How learner code is run: time limits and isolation, as one value passed around."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SandboxOptions:
    """How learner code is run: time limits and, for untrusted code, full isolation."""

    timeout_scale: float = 1.0
    time_limit: float | None = None  # seconds per call, overriding the manifest
    isolation: str = "none"  # or "full"
    memory_mb: int = 1024
    cpu_seconds: int = 60
    slot: int | None = None
    hide: tuple[str, ...] = ()

    def pytest_args(self) -> list[str]:
        """The flags for these options; `python -m graders check` takes the same ones."""
        args = [
            "--timeout-scale",
            str(self.timeout_scale),
            "--isolation",
            self.isolation,
            "--memory-mb",
            str(self.memory_mb),
            "--cpu-seconds",
            str(self.cpu_seconds),
        ]
        if self.time_limit:
            args += ["--time-limit", str(self.time_limit)]
        if self.slot is not None:
            args += ["--slot", str(self.slot)]
        for path in self.hide:
            args += ["--hide", path]
        return args


def joined(args: list[str]) -> list[str]:
    """``--flag value`` pairs as ``--flag=value``: pytest's early argument pass does not know
    the graders' options and would take a lone value for a test path (and load its conftest)."""
    out: list[str] = []
    index = 0
    while index < len(args):
        word = args[index]
        if word.startswith("--") and "=" not in word and index + 1 < len(args):
            following = args[index + 1]
            if not following.startswith("-"):
                out.append(f"{word}={following}")
                index += 2
                continue
        out.append(word)
        index += 1
    return out
