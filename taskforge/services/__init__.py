"""The service layer: business rules that depend only on the repository interfaces."""

from .auth import AuthService, IssuedToken
from .tasks import TaskManager

__all__ = ["AuthService", "IssuedToken", "TaskManager"]
