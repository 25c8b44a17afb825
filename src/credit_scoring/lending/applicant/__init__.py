"""The applicant's own space (issue 22): access, their data, the decision and its reasons,
what would change it, how they compare, and their requests (review, rectification,
withdrawal). The API's ``/applicant`` routes are thin over these modules; the contract is
``docs/applicant-space.md``.
"""

from credit_scoring.lending.applicant.access import (
    Applicant,
    birth_date_of,
    generate_code,
    issue_code,
    normalize_code,
)

__all__ = ["Applicant", "birth_date_of", "generate_code", "issue_code", "normalize_code"]
