"""The eIDAS AuthnRequest: python3-saml's request, with the eIDAS extensions, signed, for HTTP-POST or
HTTP-Redirect.

python3-saml has no hook for ``samlp:Extensions``, so its unsigned XML is post-processed here and
signed afterwards (a signature made before the extensions were added would not cover them).
eIDAS SAML Message Format v1.2 §3.1: ``ForceAuthn="true"``, ``IsPassive="false"``, ``eidas:SPType``
and ``eidas:RequestedAttributes`` in the extensions, ``RequestedAuthnContext`` with comparison
``minimum``. The signature is RSASSA-PSS or ECDSA (``accounts.eidas.signing``): enveloped in the XML for
HTTP-POST, in the ``SigAlg``/``Signature`` query parameters for HTTP-Redirect
(``EIDAS_AUTHN_REQUEST_BINDING``).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from lxml import etree
from onelogin.saml2.authn_request import OneLogin_Saml2_Authn_Request
from onelogin.saml2.constants import OneLogin_Saml2_Constants as C
from onelogin.saml2.settings import OneLogin_Saml2_Settings

from accounts.eidas.attributes import NAME_FORMAT_URI, RequestedAttribute
from accounts.eidas.signing import SigningKey, redirect_query, xml_sign

EIDAS_NS = "http://eidas.europa.eu/saml-extensions"
_SAMLP = f"{{{C.NS_SAMLP}}}"
_SAML = f"{{{C.NS_SAML}}}"
_EIDAS = f"{{{EIDAS_NS}}}"


@dataclass(frozen=True)
class SignedAuthnRequest:
    """``xml`` is the request as sent: signed (HTTP-POST), or unsigned with its signature in
    ``redirect_url``'s query (HTTP-Redirect, where ``redirect_url`` is the whole address to send the
    browser to)."""

    id: str
    xml: bytes
    destination: str
    binding: str = C.BINDING_HTTP_POST
    redirect_url: str = ""

    @property
    def encoded(self) -> str:
        """The ``SAMLRequest`` form value of the HTTP-POST binding."""
        return base64.b64encode(self.xml).decode("ascii")


def eidas_extensions_build(*, sp_type: str, attributes: list[RequestedAttribute]) -> etree._Element:
    extensions = etree.Element(_SAMLP + "Extensions", nsmap={"samlp": C.NS_SAMLP, "eidas": EIDAS_NS})
    etree.SubElement(extensions, _EIDAS + "SPType").text = sp_type
    requested = etree.SubElement(extensions, _EIDAS + "RequestedAttributes")
    for attribute in attributes:
        etree.SubElement(
            requested,
            _EIDAS + "RequestedAttribute",
            FriendlyName=attribute.friendly_name,
            Name=attribute.name,
            NameFormat=NAME_FORMAT_URI,
            isRequired="true" if attribute.required else "false",
        )
    return extensions


def authn_request_build(
    saml_settings: OneLogin_Saml2_Settings,
    *,
    sp_type: str,
    attributes: list[RequestedAttribute],
    provider_name: str = "",
    signing_key: SigningKey,
    binding: str = C.BINDING_HTTP_POST,
) -> SignedAuthnRequest:
    """Build and sign the AuthnRequest. The LoA comes from ``saml_settings``
    (``security.requestedAuthnContext``, see ``accounts.eidas.config``)."""
    unsigned = OneLogin_Saml2_Authn_Request(
        saml_settings, force_authn=True, is_passive=False, set_nameid_policy=True
    )
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)
    root = etree.fromstring(unsigned.get_xml(), parser)
    # python3-saml leaves IsPassive out when false; eIDAS nodes expect it stated.
    root.set("IsPassive", "false")
    if provider_name:
        root.set("ProviderName", provider_name)
    issuer = root.find(_SAML + "Issuer")
    assert issuer is not None  # python3-saml always writes one
    # Schema order: Issuer, Signature, Extensions, Subject, NameIDPolicy, … The signature is
    # inserted right after Issuer by xml_sign, so Extensions goes after Issuer now.
    issuer.addnext(eidas_extensions_build(sp_type=sp_type, attributes=attributes))
    destination = root.get("Destination", "")
    if binding == C.BINDING_HTTP_REDIRECT:
        # SAML Bindings §3.4.4.1: no XML signature in the request; the query carries it.
        xml = etree.tostring(root)
        separator = "&" if "?" in destination else "?"
        url = destination + separator + redirect_query(xml, signing_key)
        return SignedAuthnRequest(unsigned.get_id(), xml, destination, binding, url)
    xml = xml_sign(root, signing_key, after=issuer)
    return SignedAuthnRequest(id=unsigned.get_id(), xml=xml, destination=destination, binding=binding)
