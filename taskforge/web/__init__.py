"""The HTTP layer: one blueprint per concern, thin handlers over the services."""

from .auth import bp as auth_bp
from .categories import bp as categories_bp
from .meta import bp as meta_bp
from .ops import bp as ops_bp
from .pages import bp as pages_bp
from .projects import bp as projects_bp
from .tasks import bp as tasks_bp
from .users import bp as users_bp

BLUEPRINTS = (
    meta_bp,
    ops_bp,
    auth_bp,
    users_bp,
    projects_bp,
    categories_bp,
    tasks_bp,
    pages_bp,
)

__all__ = ["BLUEPRINTS"]
