"""Login throttling (``limits``), the client address behind trusted proxies, the hashing cap.

Failed logins are counted in moving windows, never successes:

- per **username and client address** (``login_limits_per_user``, default
  ``5/minute;10/15 minutes;30/day``): the windows grow, so the delay an attacker waits
  grows with the failures; a user logging in from another address is not affected, so a
  third party cannot lock anyone out;
- per **client address** (``login_limits_per_address``): one address guessing many names.

The counters live in the ``limits`` storage (``login_limits_storage``, ``memory://`` by
default: per API process, lost at restart; give every worker the same ``redis://`` URI to
share them). Unknown usernames are counted exactly like known ones.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse_many
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from starlette.requests import Request

from credit_scoring.config import Settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: Request, networks: tuple[Network, ...]) -> str:
    """The caller's address: the peer, or the last hop a trusted proxy vouches for.

    ``X-Forwarded-For`` is read only when the peer is a trusted proxy; hops are walked from
    the nearest one and the first address that is not a trusted proxy is the client.
    """
    peer = request.client.host if request.client else ""
    if not networks or not _is_trusted(peer, networks):
        return peer
    hops = [
        hop.strip()
        for header in request.headers.getlist("x-forwarded-for")
        for hop in header.split(",")
        if hop.strip()
    ]
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # a proxy passed something that is not an address: trust nobody
    return hops[0] if hops else peer


@dataclass(frozen=True)
class Verdict:
    """``retry_after`` seconds when the attempt must wait; None when it may go ahead."""

    retry_after: int | None


class LoginThrottle:
    """Counts failed logins per (username, address) and per address; says how long to wait."""

    def __init__(self, settings: Settings) -> None:
        storage = storage_from_string(settings.login_limits_storage)
        if not isinstance(storage, Storage):
            raise ValueError("login_limits_storage must name a synchronous storage (no async+)")
        self.storage: Storage = storage
        self.limiter = MovingWindowRateLimiter(self.storage)
        self.per_user: list[RateLimitItem] = parse_many(settings.login_limits_per_user)
        self.per_address: list[RateLimitItem] = parse_many(settings.login_limits_per_address)
        # Unlocking bumps a per-user generation kept in the same storage, so that every
        # worker sharing the storage starts that user's counters afresh.
        self._generation_expiry = max(item.get_expiry() for item in self.per_user)

    @staticmethod
    def _name(username: str) -> str:
        return username.strip().casefold()[:64]

    def _user_keys(self, username: str, address: str) -> tuple[str, ...]:
        name = self._name(username)
        generation = self.storage.get(f"login-generation/{name}")
        return ("login-user", name, str(generation), address)

    def _checks(self, username: str, address: str) -> list[tuple[RateLimitItem, tuple[str, ...]]]:
        user = self._user_keys(username, address)
        return [(item, user) for item in self.per_user] + [
            (item, ("login-address", address)) for item in self.per_address
        ]

    def check(self, username: str, address: str) -> Verdict:
        """Whether an attempt may be made now (does not count it)."""
        waits = [
            self.limiter.get_window_stats(item, *keys).reset_time - time.time()
            for item, keys in self._checks(username, address)
            if not self.limiter.test(item, *keys)
        ]
        return Verdict(max(1, math.ceil(max(waits))) if waits else None)

    def record_failure(self, username: str, address: str) -> bool:
        """Count one failure; True when it is the one that starts a wait for this user here."""
        user = self._user_keys(username, address)
        was_free = all(self.limiter.test(item, *user) for item in self.per_user)
        for item, keys in self._checks(username, address):
            self.limiter.hit(item, *keys)
        return was_free and not all(self.limiter.test(item, *user) for item in self.per_user)

    def unlock(self, username: str) -> None:
        """Forget this user's failures from every address (an administrator unlocked them)."""
        self.storage.incr(f"login-generation/{self._name(username)}", self._generation_expiry)


class HashingSlots:
    """At most ``max_concurrent_logins`` password hashes at once (argon2 takes 64 MiB each)."""

    def __init__(self, settings: Settings) -> None:
        self._slots = threading.BoundedSemaphore(settings.max_concurrent_logins)
        self._wait = settings.login_queue_seconds

    def acquire(self) -> bool:
        return self._slots.acquire(timeout=self._wait) if self._wait else self._slots.acquire(False)

    def release(self) -> None:
        self._slots.release()
