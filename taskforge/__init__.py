"""TaskForge: the course's Flask + SQLite task tracker, as it stands after the Phase 7 upgrade."""

from .app import create_app

__all__ = ["create_app"]
