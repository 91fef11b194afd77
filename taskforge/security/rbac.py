"""Role-based access control: which role may perform which action."""

from __future__ import annotations

PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset({"create", "read", "update", "delete", "manage_users"}),
    "editor": frozenset({"create", "read", "update"}),
    "viewer": frozenset({"read"}),
}
ACTIONS = frozenset().union(*PERMISSIONS.values())


def can(role: str, action: str) -> bool:
    """True when role is allowed to perform action; unknown roles may do nothing."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    return action in PERMISSIONS.get(role, frozenset())
