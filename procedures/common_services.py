"""The portal's side of the Common Services client: build it from settings, with Django's cache.

``oots_client.common_services`` knows nothing of Django; this module turns the ``OOTS_CS_*`` settings into its
frozen configuration and hands it the shared cache (Redis in production), so that every web node and worker
reuses the same answers.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Max

from oots_client.common_services import (
    CommonServicesClient,
    CommonServicesConfig,
    CsApiVersion,
    DiscoveryConfig,
    RetryPolicy,
    SignatureMode,
)
from oots_client.common_services.model import Requirement, text_in, texts_by_lang
from procedures.apps import installed_contributions
from procedures.models import Procedure


def _trusted_certificates() -> tuple[bytes, ...]:
    blobs: list[bytes] = []
    for name in settings.OOTS_CS_TRUSTED_CERTS:
        try:
            blobs.append(Path(name).read_bytes())
        except OSError as exc:
            raise ImproperlyConfigured(f"OOTS_CS_TRUSTED_CERTS: {name!r} cannot be read: {exc}") from exc
    # With the simulators installed, the Common Services simulator adds its signing certificate.
    blobs += installed_contributions("oots_trusted_certificates")
    return tuple(blobs)


def _discovery(timeout: float) -> DiscoveryConfig | None:
    if not settings.OOTS_CS_DISCOVERY_ENVIRONMENT:
        return None
    return DiscoveryConfig(
        environment=settings.OOTS_CS_DISCOVERY_ENVIRONMENT,
        name_template=settings.OOTS_CS_DISCOVERY_NAME,
        naptr_service=settings.OOTS_CS_DISCOVERY_SERVICE,
        nameservers=tuple(settings.OOTS_CS_DNS_SERVERS),
        timeout_seconds=timeout,
        allow_http=settings.OOTS_CS_DISCOVERY_ALLOW_HTTP,
    )


def common_services_config(
    *, timeout: float | None = None, retries: int | None = None
) -> CommonServicesConfig:
    try:
        version = CsApiVersion(settings.OOTS_CS_API_VERSION)
        mode = SignatureMode(settings.OOTS_CS_SIGNATURE_MODE)
    except ValueError as exc:
        raise ImproperlyConfigured(f"Common Services settings: {exc}") from exc
    timeout_seconds = float(timeout if timeout is not None else settings.OOTS_CS_TIMEOUT)
    return CommonServicesConfig(
        eb_url=settings.OOTS_CS_EB_URL,
        dsd_url=settings.OOTS_CS_DSD_URL,
        discovery=_discovery(timeout_seconds),
        api_version=version,
        signature_mode=mode,
        trusted_certificates=_trusted_certificates(),
        timeout_seconds=timeout_seconds,
        retry=RetryPolicy(attempts=max(1, retries if retries is not None else settings.OOTS_CS_RETRIES)),
        cache_ttl_seconds=settings.OOTS_CS_CACHE_TTL,
    )


def common_services_client(
    *, timeout: float | None = None, retries: int | None = None
) -> CommonServicesClient:
    """A client configured from settings (timeout and retries overridable), caching in Django's cache."""
    return CommonServicesClient(common_services_config(timeout=timeout, retries=retries), cache=cache)


def requirement_names(requirement: Requirement) -> dict[str, str | None]:
    """The requirement's name and description per portal language, column by column (``name_en``,
    ``description_fr``, …): every language the EB gives; the first language always (from the EB's English or
    first text when it lacks it), the others empty when the EB does not give them (the page then falls back
    to the first language)."""
    default = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
    columns: dict[str, str | None] = {}
    for field, texts, limit in (
        ("name", requirement.names, 500),
        ("description", requirement.descriptions, None),
    ):
        given = {lang.lower(): text for lang, text in texts_by_lang(texts).items()}
        for language in settings.MODELTRANSLATION_LANGUAGES:
            text = given.get(language) or (text_in(texts, language) if language == default else None)
            if field == "name" and language == default:
                text = text or requirement.identifier
            columns[f"{field}_{language}"] = (text[:limit] if limit else text) if text else None
    return columns


def requirements_import(
    *, procedure: Procedure, chosen: list[Requirement], lang: str = "EN"
) -> tuple[int, int]:
    """Create or update the procedure's ``Requirement`` rows for the chosen EB requirements.

    Returns (created, updated).

    Existing rows keep their order and upload setting; their names (in every language the EB gives) follow
    the EB. New rows go last. ``lang`` is no longer used: every language is kept.
    """
    created = updated = 0
    with transaction.atomic():
        next_order = (procedure.requirements.aggregate(m=Max("order"))["m"] or 0) + 1
        for requirement in chosen:
            names = requirement_names(requirement)
            row = procedure.requirements.filter(identifier=requirement.identifier).first()
            if row is None:
                row = procedure.requirements.create(
                    identifier=requirement.identifier, order=next_order, **names
                )
                next_order += 1
                created += 1
            elif any(getattr(row, column) != text for column, text in names.items()):
                for column, text in names.items():
                    setattr(row, column, text)
                row.save()
                updated += 1
    return created, updated


def requirements_remove(*, procedure: Procedure, identifiers: list[str]) -> int:
    """Remove the procedure's requirements with these URIs (the owner unticked them and confirmed).

    Exchanges already made for one keep their record: they point to it with ``SET_NULL``."""
    if not identifiers:
        return 0
    deleted, _by_model = procedure.requirements.filter(identifier__in=identifiers).delete()
    return deleted
