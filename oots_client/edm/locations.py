"""Which addresses a provider's preview and the portal's return may have (DIGEST §10).

Its own module because both the builders (which refuse to write an insecure address) and the business rules
(R-EDM-REQ-C005, R-EDM-ERR-C019, which report one received) need it, and the rules sit below the builders.
"""

from __future__ import annotations

from urllib.parse import urlsplit

_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def is_secure_location(url: str) -> bool:
    """Preview and return addresses must be https (R-EDM-REQ-C005, R-EDM-ERR-C019; DIGEST §10).

    The one exception is plain http to this machine's loopback interface: a demo or test set-up on one
    machine, where no address can leave the host and no real provider can be reached either.
    """
    parts = urlsplit(url)
    if parts.scheme == "https":
        return bool(parts.hostname)
    return parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS
