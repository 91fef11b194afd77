"""Reports after the rescue: ReportCenter keeps its old calls; the work lives in small modules."""

from .center import ReportCenter

__all__ = ["ReportCenter"]
