"""The roles of the platform's users, in the order the administration page lists them.

- advisor: enters applications, scores them and records decisions;
- senior: an advisor who may also decide referred applications and grant one that a
  policy rule refuses;
- analyst: portfolio, model, drift and decisions of everyone (no personal data entry);
- admin: everything, plus users and the audit trail.
"""

from __future__ import annotations

ROLES: tuple[str, ...] = ("advisor", "senior", "analyst", "admin")
