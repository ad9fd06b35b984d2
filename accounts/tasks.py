"""Periodic work on accounts (beat schedule in ``portal.settings``)."""

from __future__ import annotations

import logging

from celery import shared_task

from accounts.services import sessions_purge_expired

logger = logging.getLogger(__name__)


@shared_task
def purge_expired_sessions() -> int:
    """Daily: expired sessions out of the database. One DELETE; running it twice deletes nothing more."""
    deleted = sessions_purge_expired()
    logger.info("expired sessions purged", extra={"sessions_deleted": deleted})
    return deleted
