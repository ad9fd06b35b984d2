"""Configuration of the Common Services client: frozen dataclasses handed in by the caller (the portal, the
CLI)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


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


@dataclass(frozen=True, slots=True)
class CommonServicesConfig:
    """Where the Evidence Broker and Data Service Directory are and how to talk to them.

    ``eb_url``/``dsd_url`` are the service base URLs; queries go to ``BASE/rest/search``. Either may be
    empty when
    only the other service is used. ``trusted_certificates`` are PEM or DER certificates, the trust anchors
    (the Commission's root CA): an API 2.0 answer is trusted when its signing certificate's path to one of
    them validates (``signature.verify_answer``).
    """

    eb_url: str = ""
    dsd_url: str = ""
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
