"""Hostile: tries to delete or rewrite the grader files so nothing can fail."""

from pathlib import Path

try:
    import graders

    root = Path(graders.__file__).resolve().parent
    for path in [root / "ch30" / "test_transfer_rollback.py", root / "harness.py"]:
        try:
            path.write_text("def test_nothing():\n    pass\n")
        except OSError:
            try:
                path.unlink()
            except OSError:
                pass
except Exception:  # noqa: BLE001
    pass


def get_balances(conn):
    return {}


def transfer(conn, from_name, to_name, amount):
    return {}
