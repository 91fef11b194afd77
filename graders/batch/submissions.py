"""Finding submissions and making a private, safe copy of each (folders or .zip files)."""

from __future__ import annotations

import hashlib
import re
import shutil
import stat
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

MAX_FILES = 2000
MAX_BYTES = 50 * 1024 * 1024


class SubmissionError(Exception):
    """A submission that cannot be unpacked safely; the learner is recorded as an error."""


@dataclass(frozen=True)
class Submission:
    learner: str  # the id used for folders and the gradebook; unique within a batch
    source: Path  # the learner's folder or .zip, as found

    @property
    def original(self) -> str:
        return self.source.name


def learner_id(name: str) -> str:
    """A file-name-safe learner id from a folder or zip name."""
    cleaned = re.sub(r"[^A-Za-z0-9_.@-]+", "_", name).strip("._") or "learner"
    return cleaned[:100]


def _suffixed(base: str, original: str) -> str:
    # A short hash of the original name: the same folder always gets the same id.
    return f"{base[:90]}-{hashlib.sha256(original.encode()).hexdigest()[:6]}"


def discover(folder: Path) -> list[Submission]:
    """Each sub-folder or .zip of ``folder`` is one learner, with an id no other learner shares.

    A name that had to be changed to be safe gets a suffix derived from the original name,
    and so does every member of a group that would still collide (``ada/`` and ``ada.zip``).
    """
    candidates: list[tuple[str, Path]] = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        if path.is_dir() and not path.is_symlink():
            stem = path.name
        elif path.is_file() and not path.is_symlink() and path.suffix.lower() == ".zip":
            stem = path.stem
        else:
            continue
        base = learner_id(stem)
        candidates.append((base if base == stem else _suffixed(base, path.name), path))
    counts = Counter(name.lower() for name, _ in candidates)
    found = [
        Submission(_suffixed(name, path.name) if counts[name.lower()] > 1 else name, path)
        for name, path in candidates
    ]
    return sorted(found, key=lambda s: s.learner)


def _copy_tree(source: Path, dest: Path) -> None:
    files = 0
    size = 0
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if any(part in {"__pycache__", ".git", ".venv"} for part in relative.parts):
            continue
        if path.is_symlink():
            continue  # never follow a link out of the submission
        target = dest / relative
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        files += 1
        size += path.stat().st_size
        if files > MAX_FILES or size > MAX_BYTES:
            raise SubmissionError("the submission is larger than allowed (files or bytes)")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)


def _extract_zip(source: Path, dest: Path) -> None:
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SubmissionError(f"{source.name} is not a readable zip file: {exc}") from exc
    with archive:
        members = archive.infolist()
        if len(members) > MAX_FILES or sum(m.file_size for m in members) > MAX_BYTES:
            raise SubmissionError("the zip is larger than allowed (files or bytes)")
        for member in members:
            name = Path(member.filename)
            if name.is_absolute() or ".." in name.parts:
                raise SubmissionError(f"the zip holds an unsafe path: {member.filename}")
            if stat.S_ISLNK(member.external_attr >> 16):
                continue
            if member.is_dir():
                (dest / name).mkdir(parents=True, exist_ok=True)
                continue
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as data, open(dest / name, "wb") as out:
                shutil.copyfileobj(data, out)


def private_copy(submission: Submission, dest: Path) -> Path:
    """Copy or unpack a submission into ``dest`` (which must not exist yet)."""
    dest.mkdir(parents=True)
    if submission.source.is_dir():
        _copy_tree(submission.source, dest)
    else:
        _extract_zip(submission.source, dest)
    return dest
