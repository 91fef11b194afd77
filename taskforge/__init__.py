"""TaskForge: the course's Flask task tracker, as it stands after the Phase 8 upgrade."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: dict | None = None) -> Flask:
    """Build a TaskForge app (see taskforge.app.create_app).

    Imported on call, so that importing the package loads nothing else: gunicorn reads
    taskforge.gunicorn_conf in its master process, which must not load prometheus_client
    before the metrics folder is chosen.
    """
    from .app import create_app as build

    return build(config)


__all__ = ["create_app"]
