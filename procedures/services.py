"""Writes and state transitions on applications, and their end: a draft discarded, the data of a closed
application purged after the retention period (with the exchanges and evidence gathered for it)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Collection, Mapping
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from exchanges.models import EvidenceRequest
from exchanges.services import evidence_requests_discard, evidence_requests_purge
from procedures.forms import JSONValue
from procedures.models import Application, ApplicationFile, ApplicationStatus, Procedure
from procedures.selectors import application_draft_for_procedure
from procedures.signals import application_submitted


class ApplicationNotDraft(Exception):
    """The application was already submitted: it can no longer change."""


def application_start(*, user: User, procedure: Procedure) -> Application:
    """Resume the user's draft for this procedure, or open a new one."""
    with transaction.atomic():
        draft = application_draft_for_procedure(user=user, procedure=procedure)
        if draft is not None:
            return draft
        return Application.objects.create(user=user, procedure=procedure)


def application_file_store(*, application: Application, upload: Any, field_key: str = "") -> ApplicationFile:
    """Store one uploaded file of the application: a form field's (``field_key``) or, with no key, an evidence
    document an ``EvidenceItem`` will point to."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    stored = ApplicationFile(
        application=application,
        field_key=field_key,
        original_name=upload.name[:255],
        content_type=upload.sniffed_content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
    )
    stored.file.save(upload.name, upload, save=False)
    stored.save()
    return stored


def application_file_delete(stored: ApplicationFile) -> None:
    name = stored.file.name
    stored.delete()
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))


def _store_uploads(*, application: Application, uploads: Mapping[str, Any]) -> None:
    for key, upload in uploads.items():
        for previous in ApplicationFile.objects.filter(application=application, field_key=key):
            previous.file.delete(save=False)
            previous.delete()
        application_file_store(application=application, upload=upload, field_key=key)


def lock_draft(application: Application) -> Application:
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.status != ApplicationStatus.DRAFT:
        raise ApplicationNotDraft
    return locked


def application_save_draft(
    *,
    application: Application,
    answers: Mapping[str, JSONValue],
    uploads: Mapping[str, Any],
    discard: Collection[str] = (),
) -> Application:
    """``discard``: keys whose stored answers go (the form's conditional fields now hidden)."""
    with transaction.atomic():
        locked = lock_draft(application)
        locked.data = {key: value for key, value in {**locked.data, **answers}.items() if key not in discard}
        locked.save(update_fields=["data", "updated_at"])
        _store_uploads(application=locked, uploads=uploads)
    return locked


def application_submit(
    *,
    application: Application,
    answers: Mapping[str, JSONValue],
    uploads: Mapping[str, Any],
    discard: Collection[str] = (),
) -> Application:
    """``discard``: keys whose stored answers go (the form's conditional fields now hidden)."""
    with transaction.atomic():
        locked = lock_draft(application)
        locked.data = {key: value for key, value in {**locked.data, **answers}.items() if key not in discard}
        locked.status = ApplicationStatus.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["data", "status", "submitted_at", "updated_at"])
        _store_uploads(application=locked, uploads=uploads)
        application_submitted.send(sender=Application, application=locked)
    return locked


def application_discard(*, application: Application) -> None:
    """Delete a draft with everything gathered for it: answers, uploaded files, exchanges and the evidence
    they brought. Files leave the storage once the deletion is committed. Raises ``ApplicationNotDraft``
    when it was submitted meanwhile (a submitted application is kept, then purged by retention)."""
    with transaction.atomic():
        locked = lock_draft(application)
        files = [name for name in locked.files.values_list("file", flat=True) if name]
        files += evidence_requests_discard(
            evidence_requests=EvidenceRequest.objects.filter(application=locked),
            reason="the application's draft was discarded",
        )
        locked.delete()
        transaction.on_commit(lambda: _storage_delete(files))


def _storage_delete(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)  # a file already gone is not an error


def drafts_purge(*, now: dt.datetime | None = None) -> int:
    """Drafts left untouched for ``OOTS_DRAFT_RETENTION_DAYS``, discarded with what they gathered: an
    abandoned draft must not keep evidence and answers for ever."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.OOTS_DRAFT_RETENTION_DAYS)
    count = 0
    for draft in Application.objects.filter(status=ApplicationStatus.DRAFT, updated_at__lt=cutoff).iterator():
        try:
            application_discard(application=draft)
        except ApplicationNotDraft:
            continue  # submitted since the query
        count += 1
    return count


def _closed_past_retention(now: dt.datetime | None) -> QuerySet[Application]:
    """Applications submitted longer ago than ``OOTS_EVIDENCE_RETENTION_DAYS``."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.OOTS_EVIDENCE_RETENTION_DAYS)
    return Application.objects.filter(status=ApplicationStatus.SUBMITTED, submitted_at__lt=cutoff)


def application_evidence_purge(*, now: dt.datetime | None = None) -> int:
    """The evidence and request content of the exchanges of applications closed past the retention period;
    returns how many evidence items were deleted."""
    closed = EvidenceRequest.objects.filter(application__in=_closed_past_retention(now))
    return evidence_requests_purge(evidence_requests=closed)


def application_files_purge(*, now: dt.datetime | None = None) -> int:
    """Files uploaded for applications closed past the retention period: the uploaded counterpart of the
    exchanged evidence (``application_evidence_purge``)."""
    count = 0
    for stored in ApplicationFile.objects.filter(application__in=_closed_past_retention(now)).iterator():
        if stored.file:
            stored.file.delete(save=False)
        stored.delete()
        count += 1
    return count
