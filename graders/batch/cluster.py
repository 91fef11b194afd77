"""Grading on a Dask distributed cluster: each learner's judge runs as a task on a worker.

The client (``grade ... --scheduler ADDRESS``) prepares every submission as it does locally,
ships the prepared folder's bytes to a worker, and gets the judge's exit status and output
back; reports, the cache and the gradebook are written here only. A worker runs exactly the
local judge command (same isolation, limits and sandbox user slots), so a grade is the same
wherever it ran. A task whose worker dies is rerun by the scheduler on another worker: judging
has no side effects outside its own temporary folder, so running it twice is harmless.
"""

from __future__ import annotations

import io
import queue
import shutil
import tarfile
import tempfile
from dataclasses import asdict
from pathlib import Path

from graders.batch import fingerprint
from graders.manifest import load_course
from graders.options import SandboxOptions

CONNECT_TIMEOUT_S = 30
WORKER_MISMATCH = 3  # exit status when a worker's graders differ from the client's


class ClusterError(Exception):
    """The scheduler cannot be reached or has no workers."""


def pack(folder: Path) -> bytes:
    """The prepared submission folder as a gzip'd tar (regular files and folders only)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_symlink() or not (path.is_file() or path.is_dir()):
                continue
            archive.add(path, arcname=path.relative_to(folder).as_posix(), recursive=False)
    return buffer.getvalue()


def unpack(payload: bytes, folder: Path) -> None:
    with tarfile.open(fileobj=io.BytesIO(payload), mode="r:gz") as archive:
        members = archive.getmembers()
        for member in members:  # the client packed only files and folders inside the folder
            inside = (folder / member.name).resolve().is_relative_to(folder.resolve())
            if not (member.isfile() or member.isdir()) or not inside:
                raise ValueError(f"refusing archive entry {member.name!r}")
        # Every entry was checked above; the "data" filter, where Python has it, checks again.
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        archive.extractall(folder, members=members, **safe)  # noqa: S202


_slots: queue.Queue[int] | None = None


def _worker_slots() -> queue.Queue[int]:
    """Sandbox user slots for this worker process, apart from other workers on the machine."""
    global _slots
    if _slots is None:
        import os

        from graders.batch.runner import MAX_JOBS

        _slots = queue.Queue()
        for slot in range(MAX_JOBS):
            _slots.put((os.getpid() % 400) * MAX_JOBS + slot)
    return _slots


def judge_on_worker(
    payload: bytes, exercises: tuple[str, ...], options: dict, timeout: float, graders: str
) -> tuple[int | None, str, str]:
    """Runs on a worker: unpack, run the local judge command, return (status, stdout, stderr)."""
    from graders.batch.runner import BatchSettings, _judge_command, _run_judge

    course = load_course()
    mine = fingerprint.graders_digest([course.exercise(e) for e in exercises])
    if mine != graders:
        why = "this worker's course (engine or graders) differs from the client's"
        return WORKER_MISMATCH, "", why
    scratch = Path(tempfile.mkdtemp(prefix="cluster-submission-"))
    slots = _worker_slots()
    slot = slots.get()
    try:
        target, private = scratch / "flat", scratch / "private"
        target.mkdir()
        private.mkdir()
        unpack(payload, target)
        settings = BatchSettings(exercises, private, SandboxOptions(**options), timeout)
        command = _judge_command(settings, target, slot, private, exercises)
        return _run_judge(command, timeout, slot)
    finally:
        slots.put(slot)
        shutil.rmtree(scratch, ignore_errors=True)


class Cluster:
    """A connection to a Dask scheduler that judges prepared folders on its workers."""

    def __init__(self, address: str) -> None:
        try:
            from distributed import Client
        except ImportError as exc:  # an optional dependency: say how to get it
            raise ClusterError("--scheduler needs Dask: pip install 'dask[distributed]'") from exc
        try:
            self.client = Client(address, timeout=CONNECT_TIMEOUT_S)
        except OSError as exc:
            raise ClusterError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
        self.address = address
        self._graders: dict[tuple[str, ...], str] = {}

    def threads(self) -> int:
        """How many judges the workers can run at once (at least one)."""
        return max(1, sum(self.client.nthreads().values()))

    def judge(self, settings, base: Path, chosen: tuple[str, ...]) -> tuple[int | None, str, str]:
        if chosen not in self._graders:
            course = load_course()
            self._graders[chosen] = fingerprint.graders_digest([course.exercise(e) for e in chosen])
        graders = self._graders[chosen]
        options = {k: v for k, v in asdict(settings.options).items() if k not in ("slot", "hide")}
        return self.client.submit(
            judge_on_worker,
            pack(base),
            chosen,
            options,
            settings.learner_timeout,
            graders,
            pure=False,  # the same bytes twice are two learners: never merged by Dask
        ).result()

    def close(self) -> None:
        self.client.close()
