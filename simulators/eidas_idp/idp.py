"""The test IdP's SAML side, on pysaml2: its configuration, the AuthnRequests it accepts, and the
responses it builds (signed by pysaml2; encrypted, then re-signed, by ``xmlcrypto``).

The IdP learns each SP from the SP's own metadata, fetched over HTTP from the URL the request's
Issuer names (the SP entity id is its metadata URL), but only on the IdP's own host: a test IdP
must not become a proxy that fetches arbitrary URLs.
"""

from __future__ import annotations

import base64
import hashlib
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import requests
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.utils import CryptographyDeprecationWarning
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from lxml import etree

with warnings.catch_warnings():
    # pysaml2 7.4 names cryptography's CFB mode at import, which cryptography 4x deprecates; the
    # test IdP never uses it, and the test suite turns warnings into errors.
    warnings.filterwarnings("ignore", category=CryptographyDeprecationWarning)
    from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, samlp
    from saml2.config import IdPConfig
    from saml2.metadata import create_metadata_string
    from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID
    from saml2.server import Server

from accounts.eidas.keys import demo_pair_ensure  # a generic self-signed key pair, nothing SP-specific
from accounts.eidas.loa import LOA_URIS, loa_satisfies
from simulators.eidas_idp.personas import Persona
from simulators.eidas_idp.redirect_binding import (
    RedirectSignatureError,
    redirect_signature_verify,
    signature_algorithm_check,
)
from simulators.eidas_idp.saml_crypto import XmlsecInProcess
from simulators.eidas_idp.xmlcrypto import SAML_NS, assertion_encrypt, element_sign

# Given per call too: pysaml2 falls back to RSA-SHA1 (which the SP rightly refuses) otherwise.
_SIGN_ALG = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
_DIGEST_ALG = "http://www.w3.org/2001/04/xmlenc#sha256"
_ATTRIBUTE_MAPS = str(Path(__file__).resolve().parent / "attribute_maps")


class IdpError(Exception):
    """An AuthnRequest the test IdP refuses (shown to the tester, who is debugging an SP)."""


@dataclass(frozen=True)
class IdpKeys:
    cert_path: Path
    key_path: Path

    @property
    def cert_pem(self) -> bytes:
        return self.cert_path.read_bytes()

    @property
    def key_pem(self) -> bytes:
        return self.key_path.read_bytes()


def idp_keys() -> IdpKeys:
    folder = Path(settings.VAR_DIR) / "eidas-idp"
    keys = IdpKeys(folder / "idp-cert.pem", folder / "idp-key.pem")
    demo_pair_ensure(
        cert_path=keys.cert_path, key_path=keys.key_path, common_name="oots-portal eIDAS test IdP"
    )
    return keys


def entity_id(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("sim_eidas_idp:metadata"))


def _config(request: HttpRequest, sp_metadata: str | None = None, *, want_signed: bool = True) -> IdPConfig:
    """``want_signed=False`` only for a redirected request whose query signature was already checked
    (``redirect_binding``): pysaml2 cannot check RSASSA-PSS or ECDSA there."""
    keys = idp_keys()
    sso = request.build_absolute_uri(reverse("sim_eidas_idp:sso"))
    config = IdPConfig()
    config.load(
        {
            "entityid": entity_id(request),
            "service": {
                "idp": {
                    "endpoints": {
                        "single_sign_on_service": [(sso, BINDING_HTTP_POST), (sso, BINDING_HTTP_REDIRECT)]
                    },
                    "want_authn_requests_signed": want_signed,
                    "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": 5},
                            "attribute_restrictions": None,
                            "name_form": "urn:oasis:names:tc:SAML:2.0:attrname-format:uri",
                        }
                    },
                }
            },
            "key_file": str(keys.key_path),
            "cert_file": str(keys.cert_path),
            "metadata": {"inline": [sp_metadata]} if sp_metadata else {},
            "attribute_map_dir": _ATTRIBUTE_MAPS,
            # Makes pysaml2 build a backend without looking for the xmlsec1 program; ``server_create``
            # then puts the in-process one (saml_crypto) in its place.
            "crypto_backend": "XMLSecurity",
            "signing_algorithm": _SIGN_ALG,
            "digest_algorithm": _DIGEST_ALG,
            "delete_tmpfiles": True,
        }
    )
    return config


def server_create(config: IdPConfig) -> Server:
    """A pysaml2 IdP whose signatures are made and checked in process (``saml_crypto``), not by
    running the xmlsec1 program per signature."""
    server = Server(config=config)
    server.sec.crypto = _CRYPTO
    if server.metadata is not None:  # its own security context checks signed metadata (none here)
        server.metadata.security.crypto = _CRYPTO
    return server


_CRYPTO = XmlsecInProcess()


def metadata_xml(request: HttpRequest) -> bytes:
    xml = create_metadata_string(None, config=_config(request), valid=24 * 7)
    return xml if isinstance(xml, bytes) else xml.encode("utf-8")


def _sp_metadata(request: HttpRequest, sp_entity_id: str) -> str:
    parts = urlsplit(sp_entity_id)
    # Only the portal is trusted (never a URL of the caller's choosing is fetched): on the IdP's own host, or
    # at the portal's configured address when the simulators are served apart (bench/journey.py).
    trusted = {request.get_host(), urlsplit(settings.OOTS_PUBLIC_BASE_URL).netloc}
    if parts.scheme not in {"http", "https"} or parts.netloc not in trusted:
        raise IdpError(
            _("The test IdP only trusts the portal's SP; the request's Issuer is %(issuer)s.")
            % {"issuer": repr(sp_entity_id)}
        )
    key = "sim-eidas-idp:sp-metadata:" + hashlib.sha256(sp_entity_id.encode()).hexdigest()
    cached = cache.get(key)
    if cached is None:
        try:
            answer = requests.get(sp_entity_id, timeout=10)
            answer.raise_for_status()
        except requests.RequestException as exc:
            raise IdpError(
                _("The SP metadata at %(url)s cannot be fetched: %(error)s")
                % {"url": sp_entity_id, "error": exc}
            ) from exc
        cached = answer.text
        cache.set(key, cached, 300)
    return str(cached)


@dataclass(frozen=True)
class PendingRequest:
    """What the IdP keeps between the AuthnRequest and the tester's choice of persona."""

    request_id: str
    sp_entity_id: str
    acs_url: str
    requested_loa: str
    relay_state: str


def authn_request_accept(
    request: HttpRequest,
    saml_request: str,
    relay_state: str,
    *,
    binding: str = BINDING_HTTP_POST,
    query_string: str = "",
) -> PendingRequest:
    """Accept an AuthnRequest signed as an eIDAS node requires (RSASSA-PSS or ECDSA, by the key of the SP's
    metadata): enveloped (HTTP-POST) or in the query (HTTP-Redirect, ``query_string`` as it arrived)."""
    try:
        xml = base64.b64decode(saml_request, validate=False)
        if binding == BINDING_HTTP_REDIRECT:
            xml = zlib.decompress(xml, -15)
        root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    except (ValueError, zlib.error, etree.XMLSyntaxError) as exc:
        raise IdpError(_("The SAMLRequest is not base64-encoded XML.")) from exc
    issuer = root.findtext(f"{{{SAML_NS}}}Issuer")
    if not issuer:
        raise IdpError(_("The AuthnRequest has no Issuer."))
    sp_metadata = _sp_metadata(request, issuer.strip())
    try:
        if binding == BINDING_HTTP_REDIRECT:
            certificates = _sp_certificates(
                server_create(_config(request, sp_metadata)), issuer.strip(), "signing"
            )
            redirect_signature_verify(query_string, certificates)
        else:
            signature_algorithm_check(root)
    except RedirectSignatureError as exc:
        raise IdpError(_("The AuthnRequest was refused: %(error)s") % {"error": exc}) from exc
    server = server_create(_config(request, sp_metadata, want_signed=binding != BINDING_HTTP_REDIRECT))
    try:
        # Checks the signature against the SP's metadata (want_authn_requests_signed; a redirect's was
        # checked above) and the Destination against this IdP's endpoint.
        parsed = server.parse_authn_request(saml_request, binding)
        response_args = server.response_args(parsed.message, [BINDING_HTTP_POST])
    except Exception as exc:  # pysaml2 raises many unrelated types
        raise IdpError(
            _("The AuthnRequest was refused: %(error)s") % {"error": f"{type(exc).__name__}: {exc}"}
        ) from exc
    message = parsed.message
    requested = "substantial"
    context = message.requested_authn_context
    if context is not None and context.authn_context_class_ref:
        for name, uri in LOA_URIS.items():
            if context.authn_context_class_ref[0].text.strip() == uri:
                requested = name
    return PendingRequest(
        request_id=message.id,
        sp_entity_id=response_args["sp_entity_id"],
        acs_url=response_args["destination"],
        requested_loa=requested,
        relay_state=relay_state,
    )


def loa_reached(persona: Persona, chosen: str) -> str:
    """A persona whose eID only reaches a lower level authenticates at that level, whatever was chosen."""
    return chosen if loa_satisfies(persona.max_loa, chosen) else persona.max_loa


def response_build(
    request: HttpRequest, pending: PendingRequest, *, persona: Persona, loa: str, encrypt: bool
) -> str:
    """The SAMLResponse (base64) for ``persona`` authenticated at ``loa``."""
    server = server_create(_config(request, _sp_metadata(request, pending.sp_entity_id)))
    attributes = persona.attributes()
    identity = {name: [value] for name, value in attributes.items()}
    name_id = NameID(
        format=NAMEID_FORMAT_PERSISTENT, text=persona.person_identifier or persona.legal_person_identifier
    )
    common = {
        "identity": identity,
        "in_response_to": pending.request_id,
        "destination": pending.acs_url,
        "sp_entity_id": pending.sp_entity_id,
        "name_id": name_id,
        "authn": {"class_ref": LOA_URIS[loa], "authn_auth": entity_id(request)},
        "sign_assertion": True,
        "sign_alg": _SIGN_ALG,
        "digest_alg": _DIGEST_ALG,
    }
    if not encrypt:
        xml = str(server.create_authn_response(**common, sign_response=True))
        return _b64(xml.encode("utf-8"))
    # Encrypted: pysaml2 signs the assertion, xmlcrypto encrypts it and signs the Response.
    xml = str(server.create_authn_response(**common, sign_response=False))
    root = etree.fromstring(xml.encode("utf-8"))
    assertion = root.find(f"{{{SAML_NS}}}Assertion")
    assert assertion is not None
    sp_cert = _sp_encryption_cert(server, pending.sp_entity_id)
    assertion_encrypt(assertion, recipient_cert_pem=sp_cert)
    keys = idp_keys()
    element_sign(root, key_pem=keys.key_pem, cert_pem=keys.cert_pem)
    return _b64(etree.tostring(root))


def error_response_build(request: HttpRequest, pending: PendingRequest) -> str:
    """The tester cancelled: a signed Response with status AuthnFailed."""
    server = server_create(_config(request, _sp_metadata(request, pending.sp_entity_id)))
    xml = str(
        server.create_error_response(
            pending.request_id,
            pending.acs_url,
            (samlp.STATUS_AUTHN_FAILED, "The user cancelled the login at the test IdP."),
            sign=True,
            sign_alg=_SIGN_ALG,
            digest_alg=_DIGEST_ALG,
        )
    )
    return _b64(xml.encode("utf-8"))


def _sp_encryption_cert(server: Server, sp_entity_id: str) -> bytes:
    certificates = _sp_certificates(server, sp_entity_id, "encryption")
    if not certificates:
        raise IdpError(_("The SP metadata has no encryption certificate."))
    return certificates[0].public_bytes(serialization.Encoding.PEM)


def _sp_certificates(server: Server, sp_entity_id: str, use: str) -> list[x509.Certificate]:
    """The SP metadata's certificates for ``use`` (``signing``/``encryption``)."""
    found: list[x509.Certificate] = []
    for _name, text in server.metadata.certs(sp_entity_id, "spsso", use=use):
        # pysaml2 hands the certificate back re-wrapped, sometimes with PEM armour: keep the base64 only.
        body = "".join(
            line.strip() for line in text.splitlines() if line.strip() and not line.startswith("-----")
        )
        try:
            found.append(x509.load_der_x509_certificate(base64.b64decode(body)))
        except ValueError:
            continue
    return found


def _b64(xml: bytes) -> str:
    return base64.b64encode(xml).decode("ascii")
