"""The application as the back office receives it: one JSON document (the webhook's body, the API's answer,
``application.json`` in the email) and the files it lists (the receipt, the citizen's uploads, the evidence
received through OOTS), each under the requirement it meets. docs/back-office.md describes every field.

The document is the same whichever backend carries it; only ``url`` differs: a short-lived signed link
(``registrations.signatures``) for the webhook and the API, none in the email (the files are attached).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone, translation

from accounts.models import EidasIdentity
from procedures.filenames import safe_filename
from procedures.journey import Journey, evidence_per_requirement
from procedures.models import Application, FieldType
from procedures.receipt_pdf import receipt_pdf

DOCUMENT_TYPE = "oots-portal.application.submitted"
DOCUMENT_VERSION = 1
RECEIPT_REF = "receipt"


@dataclass(frozen=True)
class ApplicationFileItem:
    """One file of the application: what the document says of it, and how to read it."""

    ref: str  # "receipt", "upload-<pk>", "evidence-<pk>": stable within the application
    kind: str  # "receipt", "upload", "evidence"
    name: str
    content_type: str
    size: int | None  # None for the receipt: it is drawn afresh for each reader (its PDF carries the time)
    sha256: str | None
    requirement: str | None  # the Semantic Repository URI of the requirement it meets
    field_key: str | None  # the form field it answers (uploads for a field of the form)
    open: Callable[[], IO[bytes]]  # a fresh stream of the content, for the caller to close

    def read(self) -> bytes:
        with self.open() as stream:
            return stream.read()


def _back_office_journey(application: Application) -> Journey:
    """The journey's view of the evidence, without a citizen's request: no session, no login level (the
    journey only needs them for the citizen's next step)."""
    return Journey(SimpleNamespace(user=AnonymousUser(), session={}), application)  # type: ignore[arg-type]


def _stored_opener(field: Any) -> Callable[[], IO[bytes]]:
    def open_stored() -> IO[bytes]:
        # The storage's own file object, not the model field's: each reader gets a stream of its own.
        return field.storage.open(field.name, "rb")  # type: ignore[no-any-return]

    return open_stored


def _receipt_bytes(application: Application, journey: Journey) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        return receipt_pdf(application, journey)


def application_files(application: Application) -> list[ApplicationFileItem]:
    """The receipt first, then each upload and each evidence, in the order of the requirements."""
    journey = _back_office_journey(application)
    items = [
        ApplicationFileItem(
            ref=RECEIPT_REF,
            kind="receipt",
            name=f"receipt-{application.short_reference}.pdf",
            content_type="application/pdf",
            size=None,
            sha256=None,
            requirement=None,
            field_key=None,
            open=lambda: io.BytesIO(_receipt_bytes(application, journey)),
        )
    ]
    progress = evidence_per_requirement(application)
    by_requirement_upload = {
        entry.upload.pk: requirement.requirement.identifier
        for requirement in progress
        for entry in requirement.items
        if entry.upload is not None
    }
    for stored in application.files.all().order_by("pk"):
        if not stored.file:
            continue
        requirement = by_requirement_upload.get(stored.pk)
        items.append(
            ApplicationFileItem(
                ref=f"upload-{stored.pk}",
                kind="upload",
                name=safe_filename(stored.original_name, content_type=stored.content_type),
                content_type=stored.content_type,
                size=stored.size,
                sha256=stored.sha256,
                requirement=requirement,
                field_key=None if requirement else stored.field_key,
                open=_stored_opener(stored.file),
            )
        )
    for group in progress:
        for exchange in group.exchanges:
            for evidence in exchange.evidences.all().order_by("pk"):
                if not evidence.file:
                    continue  # purged, or not stored
                items.append(
                    ApplicationFileItem(
                        ref=f"evidence-{evidence.pk}",
                        kind="evidence",
                        name=safe_filename(
                            evidence.title, content_type=evidence.media_type, fallback="evidence"
                        ),
                        content_type=evidence.media_type,
                        size=evidence.size,
                        sha256=evidence.sha256,
                        requirement=group.requirement.identifier,
                        field_key=None,
                        open=_stored_opener(evidence.file),
                    )
                )
    return items


def _json_value(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _applicant(application: Application) -> dict[str, object]:
    """The identity the eIDAS node asserted, as stored at the citizen's last login (empty fields left out)."""
    identity = EidasIdentity.objects.filter(user_id=application.user_id).first()
    if identity is None:
        return {}
    shown: dict[str, object] = {}
    for field in identity._meta.concrete_fields:
        if field.name in {"id", "user"}:
            continue
        value = getattr(identity, field.attname)
        if value not in (None, ""):
            shown[field.name] = _json_value(value)
    return shown


def _answers(application: Application, upload_refs: dict[str, str]) -> list[dict[str, object]]:
    answers: list[dict[str, object]] = []
    for row in application.procedure.form_fields.all():
        answer: dict[str, object] = {"key": row.key, "label": row.label, "type": row.field_type}
        if row.field_type == FieldType.FILE:
            answer["file"] = upload_refs.get(row.key)
        else:
            answer["value"] = application.data.get(row.key)
        answers.append(answer)
    return answers


def application_document(
    application: Application,
    files: list[ApplicationFileItem],
    *,
    link: Callable[[ApplicationFileItem], str] | None = None,
) -> dict[str, object]:
    """The JSON document of a submitted application; ``link`` gives each file's download address."""
    procedure = application.procedure
    authority = procedure.authority
    upload_refs = {key: f"upload-{pk}" for key, pk in application.files.values_list("field_key", "pk") if key}
    requirements = [
        {"identifier": requirement.identifier, "name": requirement.name}
        for requirement in procedure.requirements.all()
    ]
    listed = []
    for item in files:
        entry: dict[str, object] = {
            "ref": item.ref,
            "kind": item.kind,
            "name": item.name,
            "content_type": item.content_type,
            "size": item.size,
            "sha256": item.sha256,
            "requirement": item.requirement,
            "field": item.field_key,
        }
        if link is not None:
            entry["url"] = link(item)
        listed.append(entry)
    document: dict[str, object] = {
        "type": DOCUMENT_TYPE,
        "version": DOCUMENT_VERSION,
        "reference": str(application.reference),
        "short_reference": application.short_reference,
        "submitted_at": _json_value(application.submitted_at),
        "procedure": {"code": procedure.code, "name": procedure.name},
        "authority": {
            "name": authority.name,
            "identifier": authority.requester_identifier,
            "scheme": authority.requester_scheme,
        },
        "applicant": _applicant(application),
        "answers": _answers(application, upload_refs),
        "requirements": requirements,
        "files": listed,
        "generated_at": timezone.now().isoformat(),
    }
    if link is not None:
        expires = timezone.now() + dt.timedelta(seconds=settings.OOTS_BACKOFFICE_LINK_SECONDS)
        document["links_expire_at"] = expires.isoformat()
    return document
