"""Per-address rate limits in the shared cache (Redis in production, so every web node counts together).

A fixed window per address and scope: the first hit of a window creates one counter that expires with
the window, so what an address can make the portal keep is bounded by the limit, and the limiter's own
footprint by one small key per active address. ``cache.add`` then ``cache.incr`` are atomic on Redis.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest

from accounts.client_address import client_address

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RateLimit:
    scope: str
    limit: int
    window_seconds: int


def rate_limit_exceeded(request: HttpRequest, rule: RateLimit) -> bool:
    """Count this request against ``rule``; True when the address is past its limit for the window.

    A limit of 0 or less switches the rule off (counting nothing).
    """
    if rule.limit <= 0:
        return False
    address = client_address(request) or "unknown"
    window = int(time.time()) // rule.window_seconds
    # The address is hashed: cache keys show up in Redis tooling, and an address is personal data.
    digest = hashlib.sha256(f"{rule.scope}\n{address}".encode()).hexdigest()[:32]
    key = f"ratelimit:{rule.scope}:{window}:{digest}"
    if cache.add(key, 1, timeout=rule.window_seconds + 1):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr: this is the first hit of a new counter
            cache.add(key, 1, timeout=rule.window_seconds + 1)
            count = 1
    if count == rule.limit + 1:
        # Logged once per window and address, not at every refused request.
        logger.warning(
            "rate limit %s reached: %d requests in %d s from one address",
            rule.scope,
            rule.limit,
            rule.window_seconds,
            extra={"rate_limit": rule.scope, "client_address": address},
        )
    return count > rule.limit
