"""Assertion ids already used, in the Django cache (Redis in production, shared by every web node;
a file cache in the embedded set-up, shared by the processes of one machine).

An id is remembered until the assertion itself expires: after that, python3-saml refuses it as
expired anyway, so the cache never needs to grow beyond the assertions still alive.
"""

from __future__ import annotations

import datetime
import hashlib

from django.core.cache import cache

from accounts.eidas.errors import EidasLoginError

# python3-saml accepts assertions up to this many seconds past NotOnOrAfter (clock drift).
_CLOCK_DRIFT_SECONDS = 300
_MINIMUM_SECONDS = 600


def assertion_id_consume(*, issuer: str, assertion_id: str, not_on_or_after: int | None) -> None:
    """Record the assertion as used; ``EidasLoginError("replay")`` if it was already.

    ``cache.add`` is atomic on Redis (``SET NX``): of two concurrent posts of the same assertion,
    exactly one adds the key. The embedded file cache checks then writes, which leaves a window of
    microseconds between processes: acceptable for the demo, which is why production uses Redis.
    """
    if not assertion_id:
        raise EidasLoginError("invalid", "assertion without ID")
    now = int(datetime.datetime.now(datetime.UTC).timestamp())
    lifetime = max((not_on_or_after or now) - now + _CLOCK_DRIFT_SECONDS, _MINIMUM_SECONDS)
    key = "eidas:assertion:" + hashlib.sha256(f"{issuer}\n{assertion_id}".encode()).hexdigest()
    if not cache.add(key, 1, timeout=lifetime):
        raise EidasLoginError("replay", f"assertion {assertion_id} from {issuer} already used")
