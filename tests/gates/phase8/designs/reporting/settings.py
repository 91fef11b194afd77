"""Settings read from settings.json next to this file (no more constants in the code)."""

import json
from pathlib import Path

SETTINGS_FILE = Path(__file__).with_name("settings.json")


def load(path: Path = SETTINGS_FILE) -> dict:
    """The settings as a dict: db_path, smtp_host, smtp_port, sender, mail_domain."""
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)
