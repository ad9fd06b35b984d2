"""python3-saml settings for the eIDAS SP, built from Django settings at request time.

allauth's ``build_saml_config`` hard-codes ``requestedAuthnContext: False`` and reads keys from the
SocialApp's settings; the eIDAS SP needs the LoA in every AuthnRequest, keys read from PEM files
(generated for the demo), and an IdP read from the node's metadata. So the whole python3-saml
configuration is built here instead, and ``provider``/``views`` use it.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.urls import reverse
from onelogin.saml2.constants import OneLogin_Saml2_Constants as C
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser
from onelogin.saml2.settings import OneLogin_Saml2_Settings
from onelogin.saml2.utils import OneLogin_Saml2_Utils

from accounts.eidas.attributes import RequestedAttribute, requested_attributes_parse
from accounts.eidas.errors import EidasConfigurationError
from accounts.eidas.keys import demo_pair_ensure
from accounts.eidas.loa import LOA_URIS
from accounts.eidas.signing import SignatureAlgorithm, SigningKey, SigningKeyError

logger = logging.getLogger(__name__)

ORGANIZATION_SLUG = "eidas"
NAMEID_UNSPECIFIED = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"


@dataclass(frozen=True)
class SpKeys:
    cert_pem: str
    key_pem: str


def sp_keys() -> SpKeys:
    cert_path, key_path = Path(settings.EIDAS_SP_CERT), Path(settings.EIDAS_SP_KEY)
    if settings.EIDAS_SP_GENERATE_KEYS:
        demo_pair_ensure(cert_path=cert_path, key_path=key_path, common_name="oots-portal demo eIDAS SP")
    try:
        return SpKeys(cert_path.read_text(encoding="ascii"), key_path.read_text(encoding="ascii"))
    except OSError as exc:
        raise EidasConfigurationError(f"EIDAS_SP_CERT/EIDAS_SP_KEY cannot be read: {exc}") from exc


def signature_algorithm() -> SignatureAlgorithm:
    try:
        return SignatureAlgorithm(settings.EIDAS_SP_SIGNATURE_ALGORITHM)
    except ValueError as exc:
        raise EidasConfigurationError(
            f"EIDAS_SP_SIGNATURE_ALGORITHM {settings.EIDAS_SP_SIGNATURE_ALGORITHM!r} is not rsa-pss or ecdsa"
        ) from exc


@functools.lru_cache(maxsize=4)
def _signing_key(algorithm: SignatureAlgorithm, key_pem: str, cert_pem: str) -> SigningKey:
    """Parsed and checked once per process and key pair: OpenSSL checks an RSA private key as it loads it
    (about 80 ms for the demo's 3072 bits), which every login paid. Keyed on the PEM text, so a rotated key
    file is read afresh; a refused key is not cached (the error is raised again)."""
    return SigningKey(algorithm, key_pem, cert_pem)


def sp_signing_key() -> SigningKey:
    """The key that signs the AuthnRequests and the metadata: the RSA pair for ``rsa-pss``, the EC pair
    (``EIDAS_SP_EC_KEY``/``EIDAS_SP_EC_CERT``) for ``ecdsa``; a key of the wrong type is refused."""
    algorithm = signature_algorithm()
    if algorithm is SignatureAlgorithm.RSA_PSS:
        keys, names = sp_keys(), "EIDAS_SP_KEY/EIDAS_SP_CERT"
    else:
        cert_path, key_path = Path(settings.EIDAS_SP_EC_CERT), Path(settings.EIDAS_SP_EC_KEY)
        names = "EIDAS_SP_EC_KEY/EIDAS_SP_EC_CERT"
        if settings.EIDAS_SP_GENERATE_KEYS:
            demo_pair_ensure(
                cert_path=cert_path,
                key_path=key_path,
                common_name="oots-portal demo eIDAS SP (EC)",
                kind="ec",
            )
        try:
            keys = SpKeys(cert_path.read_text(encoding="ascii"), key_path.read_text(encoding="ascii"))
        except OSError as exc:
            raise EidasConfigurationError(f"{names} cannot be read: {exc}") from exc
    try:
        key = _signing_key(algorithm, keys.key_pem, keys.cert_pem)
    except SigningKeyError as exc:
        raise EidasConfigurationError(f"{names}: {exc}") from exc
    return key


def authn_request_binding() -> str:
    """The SAML binding the AuthnRequest travels by (``EIDAS_AUTHN_REQUEST_BINDING``)."""
    return (
        C.BINDING_HTTP_REDIRECT if settings.EIDAS_AUTHN_REQUEST_BINDING == "redirect" else C.BINDING_HTTP_POST
    )


def requested_attributes() -> list[RequestedAttribute]:
    return requested_attributes_parse(list(settings.EIDAS_REQUESTED_ATTRIBUTES))


def idp_metadata_source(request: HttpRequest) -> str:
    if settings.EIDAS_IDP_METADATA:
        return str(settings.EIDAS_IDP_METADATA)
    if settings.EIDAS_USE_TEST_IDP:
        # The test IdP is reached over HTTP like a real node (the portal never calls a simulator
        # in-process), at the host the citizen uses, so that its URLs match what the browser sees.
        return request.build_absolute_uri(reverse("sim_eidas_idp:metadata"))
    raise EidasConfigurationError("EIDAS_IDP_METADATA is not set")


def _metadata_read(source: str) -> str:
    if source.startswith(("http://", "https://")):
        try:
            answer = requests.get(source, timeout=10)
            answer.raise_for_status()
        except requests.RequestException as exc:
            raise EidasConfigurationError(f"IdP metadata {source} cannot be fetched: {exc}") from exc
        return answer.text
    try:
        return Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise EidasConfigurationError(f"IdP metadata {source} cannot be read: {exc}") from exc


def idp_settings(request: HttpRequest) -> dict[str, Any]:
    """The python3-saml ``idp`` section, from the node's metadata (cached: every web node reads the
    same shared cache, and a node's metadata changes rarely)."""
    source = idp_metadata_source(request)
    version = ""
    if not source.startswith(("http://", "https://")):
        try:
            version = str(Path(source).stat().st_mtime_ns)
        except OSError as exc:
            raise EidasConfigurationError(f"IdP metadata {source} cannot be read: {exc}") from exc
    binding = authn_request_binding()
    key = "eidas:idp-metadata:" + hashlib.sha256(f"{source}|{version}|{binding}".encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return dict(cached)
    xml = _metadata_read(source)
    if settings.EIDAS_IDP_METADATA_CERT:
        trusted = Path(settings.EIDAS_IDP_METADATA_CERT).read_text(encoding="ascii")
        if not OneLogin_Saml2_Utils.validate_metadata_sign(xml, cert=trusted, raise_exceptions=False):
            raise EidasConfigurationError(
                f"IdP metadata {source}: signature not valid for EIDAS_IDP_METADATA_CERT"
            )
    try:
        parsed = OneLogin_Saml2_IdPMetadataParser.parse(xml, required_sso_binding=binding)
    except Exception as exc:  # the parser raises bare exceptions on bad XML
        raise EidasConfigurationError(f"IdP metadata {source} cannot be parsed: {exc}") from exc
    idp = parsed.get("idp")
    if not idp or not idp.get("singleSignOnService", {}).get("url"):
        raise EidasConfigurationError(f"IdP metadata {source} has no SingleSignOnService for {binding}")
    cache.set(key, idp, settings.EIDAS_IDP_METADATA_CACHE_SECONDS)
    return dict(idp)


def sp_entity_id(request: HttpRequest) -> str:
    return settings.EIDAS_SP_ENTITY_ID or request.build_absolute_uri(
        reverse("saml_metadata", args=[ORGANIZATION_SLUG])
    )


def saml_settings_dict(
    request: HttpRequest, *, loa: str | None = None, with_idp: bool = True
) -> dict[str, Any]:
    keys = sp_keys()
    security: dict[str, Any] = {
        "authnRequestsSigned": True,
        "signMetadata": True,
        "wantMessagesSigned": settings.EIDAS_WANT_RESPONSE_SIGNED,
        "wantAssertionsSigned": True,  # the assertion carries the identity: always signed
        "wantAssertionsEncrypted": settings.EIDAS_WANT_ASSERTIONS_ENCRYPTED,
        "wantNameId": True,
        "wantAttributeStatement": True,
        # A repeated attribute is a way to smuggle a second value past a reader taking the first.
        "allowRepeatAttributeName": False,
        "rejectDeprecatedAlgorithm": True,
        # What python3-saml would sign with; it signs nothing of ours (the AuthnRequest and the metadata are
        # signed by accounts.eidas.signing, in EIDAS_SP_SIGNATURE_ALGORITHM).
        "signatureAlgorithm": C.RSA_SHA256,
        "digestAlgorithm": C.SHA256,
        # "minimum" (eIDAS): the node may authenticate at a higher level. The level obtained is
        # checked by accounts.eidas.response, with a reason of its own, not by python3-saml.
        "requestedAuthnContext": [LOA_URIS[loa]] if loa else False,
        "requestedAuthnContextComparison": "minimum",
        "failOnAuthnContextMismatch": False,
        # The URLs validated with this flag are our own (ACS, metadata) and the node's from its
        # metadata; "localhost" in the demo is a single-label domain.
        "allowSingleLabelDomains": True,
    }
    config: dict[str, Any] = {
        "strict": True,
        "debug": False,
        "sp": {
            "entityId": sp_entity_id(request),
            "assertionConsumerService": {
                "url": request.build_absolute_uri(reverse("saml_acs", args=[ORGANIZATION_SLUG])),
                "binding": C.BINDING_HTTP_POST,
            },
            "NameIDFormat": NAMEID_UNSPECIFIED,
            "x509cert": keys.cert_pem,
            "privateKey": keys.key_pem,
        },
        "security": security,
    }
    if with_idp:
        config["idp"] = idp_settings(request)
    return config


def saml_settings(request: HttpRequest, *, loa: str | None = None) -> OneLogin_Saml2_Settings:
    return OneLogin_Saml2_Settings(saml_settings_dict(request, loa=loa), sp_validation_only=False)


def request_data(request: HttpRequest) -> dict[str, Any]:
    """What python3-saml needs of the request; it must match the ACS URL exactly (TOOLING.md)."""
    return {
        "https": "on" if request.is_secure() else "off",
        "http_host": request.get_host(),
        "script_name": request.META.get("SCRIPT_NAME", ""),
        "path_info": request.META["PATH_INFO"],
        "get_data": request.GET.copy(),
        "post_data": request.POST.copy(),
    }
