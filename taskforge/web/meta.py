"""Blueprint: service metadata (health check and the OpenAPI description)."""

from __future__ import annotations

from flask import Blueprint, request

from ..openapi import build_spec

bp = Blueprint("meta", __name__, url_prefix="/api")


@bp.get("/health")
def health():
    """Liveness probe: answers without touching the database."""
    return {"status": "ok"}


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3 description of this API, with this request's address as its server."""
    return build_spec(request.host_url.rstrip("/"))
