"""The webhook's signature, and the short-lived signed links to an application's files.

Signature (``X-OOTS-Signature``), in the manner of Stripe's and Standard Webhooks': the signed text is the
Unix time of sending, a dot, and the exact bytes of the body; each active key of the authority gives one
HMAC-SHA256 in lower-case hex, named by its key id::

    X-OOTS-Signature: t=1765100000,k-1a2b3c4d=5f0e…,k-9f8e7d6c=a17b…

The time lets the receiver refuse an old request replayed (it should allow a few minutes of clock skew); the
key ids let it pick the key it holds, so a key is rotated by adding the new one, deploying it at the
receiver, then retiring the old one. docs/back-office.md shows a receiver's check.

File links are signed by Django (``django.core.signing`` with ``SECRET_KEY``): the delivery and the file,
with the time of signing; ``OOTS_BACKOFFICE_LINK_SECONDS`` later they are refused.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from django.conf import settings
from django.core import signing

from registrations.models import SigningKey

SIGNATURE_HEADER = "X-OOTS-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
_LINK_SALT = "registrations.file-link"


def hmac_hex(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(
        secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256
    ).hexdigest()


def signature_header(*, keys: Iterable[SigningKey], timestamp: int, body: bytes) -> str:
    parts = [f"t={timestamp}"]
    parts += [f"k-{key.key_id}={hmac_hex(key.secret, timestamp, body)}" for key in keys]
    return ",".join(parts)


def file_link_token(*, delivery_id: int, file_ref: str) -> str:
    return signing.dumps({"d": delivery_id, "f": file_ref}, salt=_LINK_SALT, compress=False)


def file_link_open(token: str) -> tuple[int, str] | None:
    """(delivery id, file reference) of a link signed here and not older than the setting, else None."""
    try:
        value = signing.loads(token, salt=_LINK_SALT, max_age=settings.OOTS_BACKOFFICE_LINK_SECONDS)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    if not isinstance(value, dict):
        return None
    delivery_id, file_ref = value.get("d"), value.get("f")
    if not isinstance(delivery_id, int) or not isinstance(file_ref, str):
        return None
    return delivery_id, file_ref
