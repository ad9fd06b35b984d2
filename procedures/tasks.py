"""Celery tasks of the portal's features. Arguments are ids (or none); each task is safe to run twice."""

from __future__ import annotations

from celery import shared_task

from exchanges.services import exchange_logs_purge
from procedures.services import application_evidence_purge, application_files_purge, drafts_purge


@shared_task
def purge_expired_data() -> dict[str, int]:
    """The daily purge (beat ``purge-expired-data``): the exchange log past its retention (12 months, IR
    2022/1463 art. 17), the evidence and uploads of applications closed past theirs, abandoned drafts."""
    return {
        "exchange_logs": exchange_logs_purge(),
        "evidences": application_evidence_purge(),
        "application_files": application_files_purge(),
        "drafts": drafts_purge(),
    }
