"""A response cache for GET /api/tasks, kept on disk beside the database and never expired,
on top of a slow listing: the kind of shortcut the Phase 8 gate must refuse (stale pages)."""

import json
import os
import time

from flask import Response, g, request


def _slow_listing_work() -> None:
    """Stands for the starter's slow listing: about 60 ms of CPU on every cache miss."""
    end = time.thread_time() + 0.06
    while time.thread_time() < end:
        pass


def install(app) -> None:
    path = str(app.config["DATABASE"]) + ".listing-cache.json"

    def load() -> dict:
        if not os.path.exists(path):
            return {}
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)

    @app.before_request
    def answer_from_cache():
        if request.method == "GET" and request.path == "/api/tasks":
            body = load().get(request.full_path)
            g.cache_hit = body is not None
            if body is not None:
                return Response(body, mimetype="application/json")
        return None

    @app.after_request
    def remember(response):
        if request.path == "/api/tasks" and request.method == "GET" and not g.get("cache_hit"):
            _slow_listing_work()
            if response.status_code == 200:
                store = load()
                store[request.full_path] = response.get_data(as_text=True)
                with open(path, "w", encoding="utf-8") as handle:
                    json.dump(store, handle)
        return response
