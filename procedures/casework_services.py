"""Writes of case work: a case worker sets an application's case status with a message to the applicant."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from procedures.models import Application, ApplicationStatus, CaseStatus, CaseStatusChange
from procedures.notify import notification_queue_case_status


class CaseStatusNotAllowed(Exception):
    """The application is a draft: it has no case yet."""


def case_status_set(*, application: Application, status: str, message: str, by: Any) -> CaseStatusChange:
    """Record the new case status (a row of the history); the applicant is told (``procedures.notify``)."""
    if status not in CaseStatus.values:
        raise ValueError(status)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status == ApplicationStatus.DRAFT:
            raise CaseStatusNotAllowed
        change = CaseStatusChange.objects.create(
            application=locked, status=status, message=message.strip(), changed_by=by
        )
        notification_queue_case_status(change=change)
    return change
