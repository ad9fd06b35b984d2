"""The two backends that push an application out: the email to a functional mailbox and the signed webhook.

Each sender raises :class:`TransientDeliveryError` for what may pass (a receiver down, a timeout, a 5xx or
429, an SMTP 4xx) and :class:`PermanentDeliveryError` for what trying again will not change (a 4xx refusal,
an address no longer allowed, an SMTP 5xx, an email too large). ``registrations.services`` retries the
first with backoff and gives up at once on the second.

Both carry the idempotency key (the application's reference): as ``Idempotency-Key`` on the webhook, as
``X-OOTS-Idempotency-Key`` and in the ``Message-ID`` of the email, so that a receiver recognises a delivery
repeated after a worker died between sending and recording it.
"""

from __future__ import annotations

import json
import smtplib
import time

import requests
from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from registrations.addresses import webhook_url_refusal
from registrations.document import ApplicationFileItem, application_document, application_files
from registrations.models import Delivery, SigningKey
from registrations.signatures import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    file_link_token,
    signature_header,
)


class DeliveryError(Exception):
    transient = True


class TransientDeliveryError(DeliveryError):
    transient = True


class PermanentDeliveryError(DeliveryError):
    transient = False


def file_link(delivery: Delivery, item: ApplicationFileItem) -> str:
    token = file_link_token(delivery_id=delivery.pk, file_ref=item.ref)
    return settings.OOTS_PUBLIC_BASE_URL + reverse("registrations:file", args=[token])


def _body(delivery: Delivery, files: list[ApplicationFileItem], *, with_links: bool) -> bytes:
    document = application_document(
        delivery.application, files, link=(lambda item: file_link(delivery, item)) if with_links else None
    )
    return json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8")


# --- Webhook ---------------------------------------------------------------------------------------------

_RETRY_STATUSES = {408, 425, 429}


def webhook_send(delivery: Delivery) -> str:
    """POST the signed document; the receiver's 2xx is the delivery."""
    backend = delivery.backend
    refusal = webhook_url_refusal(backend.webhook_url)
    if refusal:
        raise PermanentDeliveryError(f"address refused: {refusal}")
    keys = list(
        SigningKey.objects.filter(
            authority=delivery.application.procedure.authority, retired_at__isnull=True
        ).order_by("created_at")
    )
    if not keys:
        # Not permanent: the owner adds a key, the next attempt signs with it.
        raise TransientDeliveryError("the authority has no active signing key")
    body = _body(delivery, application_files(delivery.application), with_links=True)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "oots-portal",
        IDEMPOTENCY_HEADER: delivery.idempotency_key,
        SIGNATURE_HEADER: signature_header(keys=keys, timestamp=int(time.time()), body=body),
    }
    try:
        response = requests.post(
            backend.webhook_url,
            data=body,
            headers=headers,
            timeout=(5, settings.OOTS_BACKOFFICE_WEBHOOK_TIMEOUT),
            allow_redirects=False,  # a redirect would carry the application somewhere nobody configured
        )
    except requests.RequestException as exc:
        raise TransientDeliveryError(f"{type(exc).__name__}: {exc}") from exc
    if 200 <= response.status_code < 300:
        return f"HTTP {response.status_code}"
    detail = f"HTTP {response.status_code}: {response.text[:300]}"
    if response.status_code >= 500 or response.status_code in _RETRY_STATUSES:
        raise TransientDeliveryError(detail)
    raise PermanentDeliveryError(detail)


# --- Email -----------------------------------------------------------------------------------------------


def _email(delivery: Delivery, files: list[ApplicationFileItem]) -> EmailMessage:
    application = delivery.application
    procedure = application.procedure
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Application %(ref)s submitted: %(procedure)s") % {
            "ref": application.short_reference,
            "procedure": procedure.name,
        }
        body = "\n".join(
            [
                _("A citizen submitted an application through the OOTS portal."),
                "",
                _("Procedure: %(name)s (%(code)s)") % {"name": procedure.name, "code": procedure.code},
                _("Reference: %(ref)s") % {"ref": application.reference},
                # Year first, as on the receipt: never a month-first date whatever the language.
                _("Submitted: %(when)s")
                % {"when": timezone.localtime(application.submitted_at).strftime("%Y-%m-%d %H:%M %Z")}
                if application.submitted_at
                else "",
                "",
                _(
                    "The receipt, the documents and application.json (the answers and the applicant's "
                    "identity, for your systems) are attached."
                ),
            ]
        )
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.backend.email_to],
        headers={
            "Message-ID": f"<{delivery.idempotency_key}.{delivery.backend_id}@oots-portal>",
            "X-OOTS-Idempotency-Key": delivery.idempotency_key,
            "X-OOTS-Reference": str(application.reference),
        },
    )
    message.attach("application.json", _body(delivery, files, with_links=False), "application/json")
    taken: set[str] = {"application.json"}
    for item in files:
        name = item.name
        if name in taken:  # two uploads named alike: both attached, told apart by their reference
            stem, _dot, extension = name.rpartition(".")
            name = f"{stem}-{item.ref}.{extension}"
        taken.add(name)
        message.attach(name, item.read(), item.content_type)
    return message


def email_send(delivery: Delivery) -> str:
    files = application_files(delivery.application)
    total = sum(item.size or 0 for item in files)
    if total > settings.OOTS_BACKOFFICE_EMAIL_MAX_BYTES:
        raise PermanentDeliveryError(
            f"the files weigh {total} bytes, more than OOTS_BACKOFFICE_EMAIL_MAX_BYTES "
            f"({settings.OOTS_BACKOFFICE_EMAIL_MAX_BYTES}): use a webhook or the API for this procedure"
        )
    message = _email(delivery, files)
    try:
        with mailers.default as connection:
            connection.send_messages([message])
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _text in exc.recipients.values()]
        error = PermanentDeliveryError if all(code >= 500 for code in codes) else TransientDeliveryError
        raise error(f"recipient refused: {exc.recipients}") from exc
    except smtplib.SMTPResponseException as exc:
        error = PermanentDeliveryError if exc.smtp_code >= 500 else TransientDeliveryError
        raise error(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise TransientDeliveryError(f"{type(exc).__name__}: {exc}") from exc
    return f"sent to {delivery.backend.email_to}"
