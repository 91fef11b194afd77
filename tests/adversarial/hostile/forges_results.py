"""Hostile: writes forged 'full marks' result files wherever it can reach."""

import json
import os
from pathlib import Path

FORGED = {"passed": True, "total": 12, "possible": 12, "percent": 100.0, "exercises": []}


def _forge():
    places = [Path.cwd(), Path.home(), Path("/tmp"), Path(os.environ.get("TMPDIR", "/tmp"))]
    here = Path(__file__).resolve()
    places += list(here.parents)[:6]
    for place in places:
        for name in ("result.json", "json.json", "outcome.json", "results.json", "gradebook.csv"):
            try:
                (place / name).write_text(json.dumps(FORGED))
            except OSError:
                pass


_forge()


def get_balances(conn):
    _forge()
    return {}


def transfer(conn, from_name, to_name, amount):
    _forge()
    return {}
