"""Blueprint: operations endpoints outside the API (Prometheus metrics and a readiness check)."""

from __future__ import annotations

from flask import Blueprint, Response

from ..observability.metrics import CONTENT_TYPE
from .support import runtime

bp = Blueprint("ops", __name__)


@bp.get("/metrics")
def metrics():
    """Every metric in the Prometheus text format (scraped by Prometheus; keep it internal)."""
    return Response(runtime().metrics.render(), mimetype=CONTENT_TYPE)


@bp.get("/healthz")
def healthz():
    """Readiness: 200 when the database answers and its schema is current, else 503."""
    state = runtime()
    if state.memory is not None:
        return {"status": "ok", "checks": {"database": "memory"}}
    # Checked on a connection of its own that never creates the database: connecting to a
    # deleted SQLite file would make a new, empty one and call it healthy.
    problem = state.database.check()
    if problem is not None:
        return {"status": "unavailable", "checks": {"database": problem}}, 503
    return {"status": "ok", "checks": {"database": "ok"}}
