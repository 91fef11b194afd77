"""Blueprint: operations endpoints outside the API (Prometheus metrics and a readiness check)."""

from __future__ import annotations

import sqlite3

from flask import Blueprint, Response

from ..db import get_db
from ..observability.metrics import CONTENT_TYPE
from .support import runtime

bp = Blueprint("ops", __name__)


@bp.get("/metrics")
def metrics():
    """Every metric in the Prometheus text format (scraped by Prometheus; keep it internal)."""
    return Response(runtime().metrics.render(), mimetype=CONTENT_TYPE)


@bp.get("/healthz")
def healthz():
    """Readiness: 200 when the database answers, 503 when it does not (the balancer's probe)."""
    state = runtime()
    if state.memory is not None:
        return {"status": "ok", "checks": {"database": "memory"}}
    try:
        get_db().execute("SELECT 1").fetchone()
    except sqlite3.Error as exc:
        body = {"status": "unavailable", "checks": {"database": f"error: {exc}"}}
        return body, 503
    return {"status": "ok", "checks": {"database": "ok"}}
