"""Browser tests share one running product (API + dashboard on demo data) per session."""

from e2e_stack import stack

__all__ = ["stack"]
