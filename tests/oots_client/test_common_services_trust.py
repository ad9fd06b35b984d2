"""The Common Services answer signature's certificate path (RFC 5280, ``cryptography.x509.verification``):
validity periods, key usage, CA flags and path length, against the configured trust anchors, each refusal
with an error that says what is wrong; and the simulator signing with a proper chain."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from accounts.certificates import key_usage
from oots_client.common_services import SignatureError
from oots_client.common_services.signature import sign_answer, verify_answer
from simulators.common_services.signing import certificate_pem

BODY = b"<query:QueryResponse/>"
NOW = dt.datetime.now(dt.UTC)


class Issuer:
    """A CA of a test chain: its key and certificate."""

    def __init__(self, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> None:
        self.cert, self.key = cert, key


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _builder(
    subject: str, key, issuer: Issuer | None, *, days_from: int, days_to: int
) -> x509.CertificateBuilder:
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer.cert.subject if issuer else _name(subject))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW + dt.timedelta(days=days_from))
        .not_valid_after(NOW + dt.timedelta(days=days_to))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False
        )
    return builder


def ca(
    subject: str, issuer: Issuer | None = None, *, path_length: int | None = None, days_to: int = 30
) -> Issuer:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        _builder(subject, key, issuer, days_from=-1, days_to=days_to)
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .sign(issuer.key if issuer else key, hashes.SHA256())
    )
    return Issuer(cert, key)


def leaf(
    issuer: Issuer,
    *,
    usage: x509.KeyUsage | None = None,
    is_ca: bool = False,
    days_from: int = -1,
    days_to: int = 30,
) -> Issuer:
    key = ec.generate_private_key(ec.SECP256R1())
    builder = _builder("EC-OOTS-CS-TEST", key, issuer, days_from=days_from, days_to=days_to).add_extension(
        x509.BasicConstraints(ca=is_ca, path_length=None), critical=True
    )
    if usage is not None:
        builder = builder.add_extension(usage, critical=True)
    return Issuer(builder.sign(issuer.key, hashes.SHA256()), key)


SIGNING = key_usage(digital_signature=True)


def signed_headers(signer: Issuer, *intermediates: Issuer) -> dict[str, str]:
    return sign_answer(BODY, signer.key, [signer.cert, *(i.cert for i in intermediates)])


def test_a_signing_certificate_issued_by_a_trusted_root_is_accepted():
    root = ca("root")
    signer = leaf(root, usage=SIGNING)
    assert verify_answer(BODY, signed_headers(signer, root), [root.cert]) == signer.cert


def test_a_path_through_an_issuing_ca_is_accepted_as_the_commissions_is():
    root = ca("root", path_length=1)
    issuing = ca("issuing", root, path_length=0)
    signer = leaf(issuing, usage=key_usage(digital_signature=True, content_commitment=True))
    assert verify_answer(BODY, signed_headers(signer, issuing, root), [root.cert]) == signer.cert


def test_an_expired_signing_certificate_is_refused():
    root = ca("root")
    signer = leaf(root, usage=SIGNING, days_from=-30, days_to=-1)
    with pytest.raises(SignatureError, match="EC-OOTS-CS-TEST expired on"):
        verify_answer(BODY, signed_headers(signer, root), [root.cert])


def test_a_signing_certificate_not_yet_valid_is_refused():
    root = ca("root")
    signer = leaf(root, usage=SIGNING, days_from=2, days_to=30)
    with pytest.raises(SignatureError, match="is not valid before"):
        verify_answer(BODY, signed_headers(signer, root), [root.cert])


def test_a_certificate_whose_key_usage_is_not_signing_is_refused():
    root = ca("root")
    signer = leaf(root, usage=key_usage(key_encipherment=True, key_agreement=True))
    with pytest.raises(SignatureError, match="key usage does not allow signatures"):
        verify_answer(BODY, signed_headers(signer, root), [root.cert])


def test_a_certificate_without_key_usage_is_refused():
    root = ca("root")
    signer = leaf(root, usage=None)
    with pytest.raises(SignatureError, match="has no key usage"):
        verify_answer(BODY, signed_headers(signer, root), [root.cert])


def test_an_answer_signed_by_a_ca_certificate_is_refused():
    root = ca("root")
    signer = leaf(root, usage=key_usage(digital_signature=True, key_cert_sign=True), is_ca=True)
    with pytest.raises(SignatureError, match="signed by a CA certificate"):
        verify_answer(BODY, signed_headers(signer, root), [root.cert])


def test_a_chain_to_an_untrusted_root_is_refused():
    root, other_root = ca("root"), ca("another root")
    signer = leaf(root, usage=SIGNING)
    with pytest.raises(SignatureError, match="does not chain to a trusted certificate"):
        verify_answer(BODY, signed_headers(signer, root), [other_root.cert])


def test_a_look_alike_root_with_the_trusted_roots_name_is_refused():
    trusted, impostor = ca("root"), ca("root")  # same subject, another key
    signer = leaf(impostor, usage=SIGNING)
    with pytest.raises(SignatureError, match="does not chain to a trusted certificate"):
        verify_answer(BODY, signed_headers(signer, impostor), [trusted.cert])


def test_a_path_longer_than_the_roots_path_length_allows_is_refused():
    root = ca("root", path_length=0)  # may issue end-entity certificates only
    issuing = ca("issuing", root)
    signer = leaf(issuing, usage=SIGNING)
    with pytest.raises(SignatureError, match="path to a trusted certificate is not valid"):
        verify_answer(BODY, signed_headers(signer, issuing, root), [root.cert])


def test_a_path_deeper_than_the_maximum_depth_is_refused():
    root = ca("root")
    path = [root]
    for depth in range(3):
        path.insert(0, ca(f"issuing {depth}", path[0]))
    signer = leaf(path[0], usage=SIGNING)
    headers = signed_headers(signer, *path)
    assert verify_answer(BODY, headers, [root.cert]) == signer.cert  # within the default depth
    with pytest.raises(SignatureError, match="path to a trusted certificate is not valid"):
        verify_answer(BODY, headers, [root.cert], max_chain_depth=2)


def test_an_expired_issuing_ca_is_refused():
    root = ca("root")
    issuing = ca("issuing", root, days_to=-1)
    signer = leaf(issuing, usage=SIGNING)
    with pytest.raises(SignatureError, match="path to a trusted certificate is not valid"):
        verify_answer(BODY, signed_headers(signer, issuing, root), [root.cert])


def test_the_simulator_signs_with_a_leaf_issued_by_its_demo_root(live_server):
    answer = requests.get(
        f"{live_server.url}/sim/cs/eb/rest/search",
        params={
            "queryId": "urn:fdc:oots:eb:ebxml-regrep:queries:requirements-by-procedure-and-jurisdiction",
            "procedure-id": "T2",
            "country-code": "DE",
        },
        headers={"Accept-Version": "oots-cs:v2.0"},
        timeout=10,
    )
    root = x509.load_pem_x509_certificate(certificate_pem())
    signer = verify_answer(answer.content, answer.headers, [root])
    protected = answer.headers["oots-response-sig"].split(".")[0]
    x5c = json.loads(base64.urlsafe_b64decode(protected + "=" * (-len(protected) % 4)))["x5c"]
    assert len(x5c) == 2
    assert signer.issuer == root.subject != signer.subject
    assert signer.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature
    assert not signer.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
