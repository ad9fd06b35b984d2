"""The log record of an admin lockout (django-axes' ``user_locked_out`` signal).

One WARNING per lockout, with the user name and the address as fields (``LOG_FORMAT=json``), so that an
operator's alerting can watch for it. django-axes sends the signal again at every attempt during the
lockout; a cache entry that lasts the cool-off keeps it to one record.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.core.cache import cache
from django.dispatch import receiver

logger = logging.getLogger("accounts.lockout")


@receiver(user_locked_out)
def lockout_log(
    sender: Any, request: Any = None, username: str | None = None, ip_address: str | None = None, **_: Any
) -> None:
    key = "admin-lockout:" + hashlib.sha256(f"{username}\n{ip_address}".encode()).hexdigest()[:32]
    if not cache.add(key, 1, timeout=int(settings.AXES_COOLOFF_TIME.total_seconds())):
        return  # this lockout was logged already
    logger.warning(
        "admin login locked out for user %r from %s after %d failed attempts (%s)",
        username,
        ip_address,
        settings.AXES_FAILURE_LIMIT,
        settings.AXES_COOLOFF_TIME,
        extra={"event": "admin_lockout", "username": username, "client_address": ip_address},
    )
