"""Configuration of the Common Services client: frozen dataclasses handed in by the caller (the portal, the
CLI)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Final


class CsApiVersion(enum.StrEnum):
    """The Common Services query API versions (DIGEST §5).

    1.0/1.1/1.2 differ only in which parameters exist (``specification`` since 1.1; ``evidence-type-id`` and
    the
    EB evidence-type jurisdiction parameters gone in 1.2). 2.0 adds ``Accept-Version: oots-cs:v2.0``, the
    echoed
    ``SpecificationIdentifier`` slot, the detached JWS signature on answers and ``return-incomplete``.
    """

    V1_0 = "1.0"
    V1_1 = "1.1"
    V1_2 = "1.2"
    V2_0 = "2.0"

    @property
    def is_v2(self) -> bool:
        return self is CsApiVersion.V2_0


class SignatureMode(enum.StrEnum):
    """What to do with the detached JWS of API 2.0 answers (1.x answers are never signed)."""

    OFF = "off"  # not checked at all
    WARN = "warn"  # checked; a failure is logged and the answer used anyway
    REQUIRED = "required"  # checked; a failure rejects the answer (SignatureError)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounded retries of transient failures (timeouts, 5xx), with capped exponential backoff."""

    attempts: int = 3  # total tries, the first included
    backoff_seconds: float = 0.5
    max_backoff_seconds: float = 4.0


DEFAULT_NAME_TEMPLATE: Final = "{country}.{service}.v1.cs.{environment}.oots.tech.ec.europa.eu"


@dataclass(frozen=True, slots=True)
class DiscoveryConfig:
    """How to find the Common Services by DNS.

    ``environment`` fills ``{environment}`` in ``name_template`` (``acc`` or ``prod`` for the Commission's
    zones). ``naptr_service``, when not empty, keeps only records whose service field is that value
    (case-insensitive). ``nameservers`` are ``"ip"`` or ``"ip:port"``; empty uses the system resolver.
    ``allow_http`` accepts ``http://`` URLs from records (a test set-up; the real records give https).
    ``max_cache_seconds`` caps what a record's TTL may keep a URL for.
    """

    environment: str
    name_template: str = DEFAULT_NAME_TEMPLATE
    naptr_service: str = ""
    nameservers: tuple[str, ...] = ()
    timeout_seconds: float = 5.0
    allow_http: bool = False
    max_cache_seconds: int = 86400


@dataclass(frozen=True, slots=True)
class CommonServicesConfig:
    """Where the Evidence Broker and Data Service Directory are and how to talk to them.

    ``eb_url``/``dsd_url`` are the service base URLs; queries go to ``BASE/rest/search``. A URL given here
    overrides ``discovery``; with neither, that service cannot be asked. With ``discovery`` (TDD chapter 3.4)
    each query goes to the instance the NAPTR record of its ``country-code`` names (``discovery.py``).
    ``trusted_certificates`` are PEM or DER certificates, the trust anchors (the Commission's root CA): an
    API 2.0 answer is trusted when its signing certificate's path to one of them validates
    (``signature.verify_answer``).
    """

    eb_url: str = ""
    dsd_url: str = ""
    discovery: DiscoveryConfig | None = None
    api_version: CsApiVersion = CsApiVersion.V2_0
    signature_mode: SignatureMode = SignatureMode.REQUIRED
    trusted_certificates: tuple[bytes, ...] = ()
    timeout_seconds: float = 10.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    cache_ttl_seconds: int = 3600
    max_answer_bytes: int = 20 * 1024 * 1024
    # Origins (scheme://host[:port]) besides https ones and the DSD's own from which ValueExpression code
    # lists
    # may be fetched: the client never follows a URL from an answer to anywhere else.
    value_list_origins: tuple[str, ...] = ()
    user_agent: str = "oots-portal-cs-client/1"
