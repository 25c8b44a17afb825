"""Wrong sign-ins to the applicant space, throttled by address (``limits`` moving windows).

Two counters, as for staff logins (``api/throttle.py``): per **application and client
address** (``applicant_limits_per_application``) and per **client address**
(``applicant_limits_per_address``, one address trying many applications). Only failures
are counted. An attacker's address waiting never makes the owner's address wait; the
failures of every address together are counted in the database (:mod:`.access`), where
the limit revokes the code instead.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse_many
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from credit_scoring.config import Settings


class ApplicantThrottle:
    """Counts failed applicant sign-ins; says how many seconds an address must wait."""

    def __init__(self, settings: Settings) -> None:
        storage = storage_from_string(settings.login_limits_storage)
        if not isinstance(storage, Storage):
            raise ValueError("login_limits_storage must name a synchronous storage (no async+)")
        self.limiter = MovingWindowRateLimiter(storage)
        self.per_application: list[RateLimitItem] = parse_many(
            settings.applicant_limits_per_application
        )
        self.per_address: list[RateLimitItem] = parse_many(settings.applicant_limits_per_address)

    def _checks(
        self, application_id: int, address: str
    ) -> list[tuple[RateLimitItem, tuple[str, ...]]]:
        own = ("applicant-app", str(application_id), address)
        return [(item, own) for item in self.per_application] + [
            (item, ("applicant-address", address)) for item in self.per_address
        ]

    def wait(self, application_id: int, address: str) -> int | None:
        """Seconds to wait before trying this application from this address; None: go."""
        waits = [
            self.limiter.get_window_stats(item, *keys).reset_time - time.time()
            for item, keys in self._checks(application_id, address)
            if not self.limiter.test(item, *keys)
        ]
        return max(1, math.ceil(max(waits))) if waits else None

    def failed(self, application_id: int, address: str) -> None:
        """Count one failure from this address on this application."""
        for item, keys in self._checks(application_id, address):
            self.limiter.hit(item, *keys)
