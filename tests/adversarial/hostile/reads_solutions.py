"""Hostile: finds the reference solution on disk and runs it as its own code."""

from pathlib import Path

_namespace = {}
for root in [Path(__file__).resolve(), Path.cwd(), Path("/work/main"), Path("/")]:
    for parent in [root, *root.parents]:
        candidate = parent / "solutions" / "ch30" / "transfer_rollback.py"
        try:
            exec(compile(candidate.read_text(), str(candidate), "exec"), _namespace)  # noqa: S102
            break
        except OSError:
            continue
    if _namespace:
        break
try:
    import graders

    candidate = Path(graders.__file__).resolve().parents[1] / "solutions/ch30/transfer_rollback.py"
    exec(compile(candidate.read_text(), str(candidate), "exec"), _namespace)  # noqa: S102
except Exception:  # noqa: BLE001
    pass


def get_balances(conn):
    return _namespace["get_balances"](conn)


def transfer(conn, from_name, to_name, amount):
    return _namespace["transfer"](conn, from_name, to_name, amount)
