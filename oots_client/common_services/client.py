"""The Evidence Broker and Data Service Directory client (plain HTTP GET, RegRep answers; DIGEST §5).

One :class:`CommonServicesClient` per configuration. Each query: build the parameters the configured CS API
version
defines, GET ``BASE/rest/search``, retry transient failures a bounded number of times, check the API 2.0
signature
(off/warn/required), read the answer liberally, and raise the typed error of an ``EB:ERR``/``DSD:ERR`` answer.
Answers are cached (successes and ``DSD:ERR:0005`` questions only) for ``cache_ttl_seconds``; ``refresh=True``
asks the service again and replaces the cached answer.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from urllib.parse import urlencode, urlsplit

import requests

from oots_client.common_services import genericode
from oots_client.common_services.cache import AnswerCache, NoCache
from oots_client.common_services.config import CommonServicesConfig, SignatureMode
from oots_client.common_services.discovery import CommonServicesDiscovery
from oots_client.common_services.errors import (
    CsProtocolError,
    CsUnavailableError,
    QueryParameterError,
    SignatureError,
)
from oots_client.common_services.model import (
    AdditionalInputAnswers,
    AdditionalInputRequired,
    ClassificationQuestion,
    DataServicesResult,
    EvidenceTypesResult,
    Requirement,
)
from oots_client.common_services.parse import (
    ADDITIONAL_INPUT_CODE,
    Answer,
    data_services_from,
    evidence_types_from,
    read_answer,
    requirements_from,
)
from oots_client.common_services.queries import (
    ACCEPT,
    CS_V2_SPECIFICATION,
    DATA_SERVICES_QUERY,
    EVIDENCE_TYPES_QUERY,
    REQUIREMENTS_QUERY,
    build_parameters,
)
from oots_client.common_services.signature import load_certificates, verify_answer
from oots_client.errors import OotsError
from oots_client.retry import backoff_delay

logger = logging.getLogger(__name__)

_TRANSIENT_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


class CommonServicesClient:
    """Queries the Evidence Broker and the Data Service Directory. Thread-safe if the cache is."""

    def __init__(
        self,
        config: CommonServicesConfig,
        *,
        cache: AnswerCache | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = config
        self.cache: AnswerCache = cache if cache is not None else NoCache()
        self.session = session or requests.Session()
        self.sleep = sleep
        self.trusted = load_certificates(config.trusted_certificates)
        self.discovery = (
            CommonServicesDiscovery(config.discovery, cache=self.cache) if config.discovery else None
        )
        self._discovered_dsd_origins: set[str] = set()

    # --- the three queries ---------------------------------------------------------------------------------

    def requirements(
        self,
        *,
        procedure: str,
        country: str,
        jurisdiction_admin_l2: str | None = None,
        jurisdiction_admin_l3: str | None = None,
        return_incomplete: bool | None = None,
        refresh: bool = False,
    ) -> tuple[Requirement, ...]:
        """EB: the requirements of ``procedure`` (code, e.g. ``T2``) as implemented in ``country`` (the
        ER's)."""
        params = [
            ("procedure-id", procedure),
            ("country-code", country.upper()),
            ("jurisdiction-admin-l2", jurisdiction_admin_l2),
            ("jurisdiction-admin-l3", jurisdiction_admin_l3),
            ("return-incomplete", None if return_incomplete is None else str(return_incomplete).lower()),
        ]
        answer = self._query(self._base("eb", country), REQUIREMENTS_QUERY, params, refresh=refresh)
        return requirements_from(answer)

    def evidence_types(
        self,
        *,
        requirement: str,
        country: str,
        jurisdiction_admin_l2: str | None = None,
        jurisdiction_admin_l3: str | None = None,
        refresh: bool = False,
    ) -> EvidenceTypesResult:
        """EB: the evidence type lists (alternatives) proving ``requirement`` (SR URI) from ``country``."""
        params = [
            ("requirement-id", requirement),
            ("country-code", country.upper()),
            ("jurisdiction-admin-l2", jurisdiction_admin_l2),
            ("jurisdiction-admin-l3", jurisdiction_admin_l3),
        ]
        answer = self._query(self._base("eb", country), EVIDENCE_TYPES_QUERY, params, refresh=refresh)
        return evidence_types_from(answer)

    def data_services(
        self,
        *,
        evidence_type: str,
        country: str,
        specification: str | None = None,
        answers: AdditionalInputAnswers | None = None,
        jurisdiction_admin_l2: str | None = None,
        jurisdiction_admin_l3: str | None = None,
        load_value_lists: bool = True,
        refresh: bool = False,
    ) -> DataServicesResult | AdditionalInputRequired:
        """DSD: the data services for an evidence type classification in ``country``.

        ``DSD:ERR:0005`` comes back as :class:`AdditionalInputRequired` (with the allowed values of its
        classification questions loaded unless ``load_value_lists`` is false); ask the user, then call again
        with
        ``answers=question.answer(...)``. ``specification`` (API ≥ 1.1) keeps only access services speaking
        it.
        """
        answers = answers or AdditionalInputAnswers()
        evidence_type_id = answers.evidence_type_id
        if evidence_type_id and self.config.api_version not in ("1.0", "1.1"):
            evidence_type_id = None  # removed in CS API 1.2 (DIGEST §5.3): the DSD knows it from the context
        params = [
            ("evidence-type-classification", evidence_type),
            ("country-code", country.upper()),
            ("jurisdiction-admin-l2", answers.jurisdiction_admin_l2 or jurisdiction_admin_l2),
            ("jurisdiction-admin-l3", answers.jurisdiction_admin_l3 or jurisdiction_admin_l3),
            ("jurisdiction-context-id", answers.jurisdiction_context_id),
            ("evidence-type-id", evidence_type_id),
            ("specification", specification),
        ]
        answer = self._query(
            self._base("dsd", country), DATA_SERVICES_QUERY, params, answers.classifications, refresh=refresh
        )
        result = data_services_from(answer)
        if isinstance(result, AdditionalInputRequired) and load_value_lists:
            result = replace(
                result,
                classification_questions=tuple(
                    self._with_values(q, refresh=refresh) for q in result.classification_questions
                ),
            )
        return result

    # --- classification value lists -------------------------------------------------------------------------

    def value_list(self, url: str, *, refresh: bool = False) -> genericode.CodeList:
        """The Genericode list a ``ValueExpression`` points to (fetched only from https or the DSD's own
        origin)."""
        if not self._may_fetch(url):
            raise CsProtocolError(f"the code list {url!r} is not on an allowed origin")
        key = self._cache_key("gc", url)
        data = None if refresh else self.cache.get(key)
        if not isinstance(data, bytes):
            response = self._get_with_retries(url, {"Accept": "application/xml, application/gc+xml"})
            if response[0] >= 400:
                raise CsProtocolError(f"the code list {url!r} answered HTTP {response[0]}")
            data = response[1]
            code_list = genericode.parse_code_list(data)
            self.cache.set(key, data, self.config.cache_ttl_seconds)
            return code_list
        return genericode.parse_code_list(data)

    def _with_values(self, question: ClassificationQuestion, *, refresh: bool) -> ClassificationQuestion:
        url = question.concept.value_expression
        if not url:
            return replace(question, value_list_problem="the question names no value list")
        try:
            return replace(question, allowed_values=self.value_list(url, refresh=refresh).values)
        except OotsError as exc:
            logger.warning("classification value list %s unreadable: %s", url, exc)
            return replace(question, value_list_problem=str(exc))

    def _may_fetch(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme == "https" and parts.netloc:
            return True
        origin = f"{parts.scheme}://{parts.netloc}"
        dsd = urlsplit(self.config.dsd_url)
        allowed = {
            f"{dsd.scheme}://{dsd.netloc}",
            *self._discovered_dsd_origins,
            *(o.rstrip("/") for o in self.config.value_list_origins),
        }
        return bool(parts.netloc) and origin in allowed

    # --- transport ------------------------------------------------------------------------------------------

    def _base(self, service: str, country: str) -> str:
        """The fixed URL when one is configured (it overrides discovery), else the one the NAPTR record of the
        query's country names (TDD chapter 3.4: a country's data is in exactly one instance)."""
        base = self.config.eb_url if service == "eb" else self.config.dsd_url
        if not base and self.discovery is not None:
            base = self.discovery.base_url(service, country)
            if service == "dsd":
                parts = urlsplit(base)
                self._discovered_dsd_origins.add(f"{parts.scheme}://{parts.netloc}")
        if not base:
            raise QueryParameterError(f"no {service.upper()} base URL is configured, and no discovery")
        return base.rstrip("/")

    def _cache_key(self, kind: str, url: str) -> str:
        digest = hashlib.sha256(f"{self.config.api_version}|{url}".encode()).hexdigest()
        return f"oots-cs:{kind}:{digest}"

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": ACCEPT, "User-Agent": self.config.user_agent}
        if self.config.api_version.is_v2:
            headers["Accept-Version"] = CS_V2_SPECIFICATION
        return headers

    def _query(
        self,
        base: str,
        query_id: str,
        params: list[tuple[str, str | None]],
        classification_answers: tuple[tuple[str, str], ...] = (),
        *,
        refresh: bool,
    ) -> Answer:
        pairs = build_parameters(query_id, self.config.api_version, params, classification_answers)
        url = f"{base}/rest/search?{urlencode(pairs)}"
        key = self._cache_key("answer", url)
        if not refresh:
            cached = self.cache.get(key)
            if isinstance(cached, bytes):
                return read_answer(cached, max_bytes=self.config.max_answer_bytes)
        status, body, headers = self._get_with_retries(url, self._headers())
        if status >= 400 and b"QueryResponse" not in body[:4096]:
            raise CsProtocolError(f"the Common Services answered HTTP {status} without a QueryResponse")
        if self.config.api_version.is_v2:
            self._check_signature(body, headers)
        answer = read_answer(body, max_bytes=self.config.max_answer_bytes)
        if self.config.api_version.is_v2 and answer.specification != CS_V2_SPECIFICATION:
            # Without Accept-Version a service falls back to the 1.x form: never take that for a 2.0 answer.
            got = answer.specification or "unversioned (1.x)"
            raise CsProtocolError(f"asked for {CS_V2_SPECIFICATION} but the answer is {got}")
        cacheable = answer.status == "Success" or (
            bool(answer.exceptions) and answer.exceptions[0].code == ADDITIONAL_INPUT_CODE
        )
        if cacheable:
            self.cache.set(key, body, self.config.cache_ttl_seconds)
        return answer

    def _check_signature(self, body: bytes, headers: Mapping[str, str]) -> None:
        mode = self.config.signature_mode
        if mode is SignatureMode.OFF:
            return
        try:
            verify_answer(body, headers, self.trusted)
        except SignatureError as exc:
            if mode is SignatureMode.REQUIRED:
                raise
            logger.warning("Common Services answer signature not verified (mode=warn): %s", exc)

    def _get_with_retries(self, url: str, headers: dict[str, str]) -> tuple[int, bytes, Mapping[str, str]]:
        policy = self.config.retry
        attempts = max(1, policy.attempts)
        for attempt in range(1, attempts + 1):
            try:
                return self._get(url, headers)
            except CsUnavailableError as exc:
                if attempt >= attempts:
                    raise
                delay = backoff_delay(attempt, base=policy.backoff_seconds, cap=policy.max_backoff_seconds)
                logger.info(
                    "Common Services attempt %d/%d failed (%s); retrying in %.2fs",
                    attempt,
                    attempts,
                    exc,
                    delay,
                )
                self.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _get(self, url: str, headers: dict[str, str]) -> tuple[int, bytes, Mapping[str, str]]:
        try:
            response = self.session.get(
                url, headers=headers, timeout=self.config.timeout_seconds, stream=True
            )
        except requests.Timeout:
            raise CsUnavailableError(
                f"the Common Services did not answer within {self.config.timeout_seconds}s"
            ) from None
        except requests.RequestException as exc:
            raise CsUnavailableError(f"the Common Services cannot be reached: {type(exc).__name__}") from None
        with response:
            if response.status_code in _TRANSIENT_STATUS:
                raise CsUnavailableError(f"the Common Services answered HTTP {response.status_code}")
            try:
                body = bytearray()
                for chunk in response.iter_content(65536):
                    body += chunk
                    if len(body) > self.config.max_answer_bytes:
                        raise CsProtocolError("the Common Services answer is larger than allowed")
            except requests.RequestException as exc:
                raise CsUnavailableError(
                    f"the Common Services answer was cut off: {type(exc).__name__}"
                ) from None
            return response.status_code, bytes(body), response.headers
