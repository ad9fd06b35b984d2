"""pysaml2's signing and signature checking done in process, with python-xmlsec.

pysaml2's default backend (``CryptoBackendXmlSec1``) writes each message to a temporary file and runs
the ``xmlsec1`` program on it, once per signature: a process per Assertion, Response and AuthnRequest,
which made the test IdP's two pages the costliest of a login under load. ``XmlsecInProcess`` does the
same two operations on the same library (libxmlsec, linked into python-xmlsec), on the same terms as
the command lines pysaml2 runs:

- sign: ``xmlsec1 --sign --privkey-pem KEY --id-attr:ID NODE --node-id ID``;
- verify: ``xmlsec1 --verify --enabled-reference-uris empty,same-doc --enabled-key-data raw-x509-cert
  --pubkey-cert-pem CERT --id-attr:ID NODE --node-id ID``: only the given certificate's key counts
  (the message's own KeyInfo is never read) and only references within the document are followed.

As with the program, the ``ID`` attribute of every element named NODE is declared an XML ID (a repeated
value is refused), the operation starts at the element whose ID is the one given and works on the
first ``ds:Signature`` found from there. Beyond the program: that Signature must be the element's own
(a direct child; pysaml2 checks the form of that one before asking for the cryptographic check), and a
document with a DTD is refused (a SAML message has none).

pysaml2 (7.4) has no configuration value for a backend of one's own: ``idp.server_create`` puts it in
place of the one pysaml2 made. Encryption is not pysaml2's job here (``xmlcrypto`` does it), so the
backend has none.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

import xmlsec
from cryptography.utils import CryptographyDeprecationWarning
from lxml import etree

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", category=CryptographyDeprecationWarning)  # see idp.py
    from saml2 import SamlBase
    from saml2.sigver import CryptoBackend, SignatureError

DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
_KEY_FORMATS = {"pem": xmlsec.KeyFormat.CERT_PEM, "der": xmlsec.KeyFormat.CERT_DER}


class XmlsecInProcess(CryptoBackend):
    """pysaml2 ``CryptoBackend``: ``sign_statement`` and ``validate_signature`` with python-xmlsec."""

    @property
    def version(self) -> str:
        return ".".join(str(part) for part in xmlsec.get_libxmlsec_version())

    def sign_statement(self, statement: Any, node_name: str, key_file: str, node_id: str | None) -> str:
        if isinstance(statement, SamlBase):
            statement = str(statement)
        data = statement.encode("utf-8") if isinstance(statement, str) else statement
        try:
            root = _parse(data)
            context = xmlsec.SignatureContext()
            signature = _signature_to_process(context, root, node_name, node_id)
            context.key = xmlsec.Key.from_file(key_file, xmlsec.KeyFormat.PEM)
            context.sign(signature)
        except (xmlsec.Error, etree.XMLSyntaxError, ValueError) as exc:
            raise SignatureError(f"signing {node_name} {node_id}: {exc}") from exc
        # Written as the program writes it (libxml2): a declaration naming the input's encoding, if it
        # named one, the document, a newline.
        declared = _ENCODING_DECLARED.match(data)
        encoding = f' encoding="{declared.group(1).decode("ascii")}"' if declared else ""
        return f'<?xml version="1.0"{encoding}?>\n' + etree.tostring(root, encoding="unicode") + "\n"

    def validate_signature(
        self, signedtext: Any, cert_file: str, cert_type: str, node_name: str, node_id: str | None
    ) -> bool:
        """True when the signature verifies; raises ``SignatureError`` (an ``XmlsecError``, which
        pysaml2 takes as "not with this certificate") otherwise, as ``CryptoBackendXmlSec1`` does."""
        if cert_type not in _KEY_FORMATS:
            raise SignatureError(f"certificate type {cert_type!r} is not supported")
        try:
            root = _parse(signedtext)
            context = xmlsec.SignatureContext()
            signature = _signature_to_process(context, root, node_name, node_id)
            _same_document_references_only(signature)
            context.key = xmlsec.Key.from_file(cert_file, _KEY_FORMATS[cert_type])
            context.verify(signature)
        except (xmlsec.Error, etree.XMLSyntaxError, ValueError) as exc:
            # xmlsec.VerificationError is an xmlsec.Error.
            raise SignatureError(f"verifying {node_name} {node_id}: {exc}") from exc
        return True


_ENCODING_DECLARED = re.compile(rb"""\s*<\?xml\s[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def _parse(text: str | bytes) -> etree._Element:
    data = text.encode("utf-8") if isinstance(text, str) else text
    root = etree.fromstring(data, _PARSER)
    if root.getroottree().docinfo.internalDTD is not None or root.getroottree().docinfo.doctype:
        raise ValueError("a SAML message has no DTD")
    return root


def _signature_to_process(
    context: xmlsec.SignatureContext, root: etree._Element, node_name: str, node_id: str | None
) -> etree._Element:
    """Declare the IDs (``--id-attr:ID node_name``), find the start node (``--node-id``) and its
    Signature, as the xmlsec1 program does."""
    namespace, _, local_name = node_name.rpartition(":")
    start = root if node_id is None else None
    seen: set[str] = set()
    for element in root.iter(f"{{{namespace}}}{local_name}"):
        value = element.get("ID")
        if value is None:
            continue
        if value in seen:
            raise ValueError(f"duplicate ID {value!r}")
        seen.add(value)
        context.register_id(element, "ID")  # refuses a value already an ID of the document (xml:id)
        if value == node_id:
            start = element
    if start is None:
        raise ValueError(f"no {local_name} with ID {node_id!r}")
    first = next(start.iter(f"{{{DSIG_NS}}}Signature"), None)
    if first is None or first.getparent() is not start:
        raise ValueError(f"the {local_name} has no Signature of its own")
    return first


def _same_document_references_only(signature: etree._Element) -> None:
    """``--enabled-reference-uris empty,same-doc``: no reference leaves the document."""
    for reference in signature.iter(f"{{{DSIG_NS}}}Reference"):
        uri = reference.get("URI")
        if uri and not uri.startswith("#"):
            raise ValueError(f"reference to {uri!r} outside the document")
