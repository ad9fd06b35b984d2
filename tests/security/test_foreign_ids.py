"""Every URL that takes the id of a user's object answers another citizen with 404 (the preview return token
with 400), and the preview return address is never a way to send a user elsewhere.

The URL patterns are enumerated from the resolver: a new id-taking URL fails
``test_every_url_that_takes_an_id_is_checked_or_allowed`` until it is added to ``USER_OWNED`` (and so
tested) or to ``NOT_USER_OWNED`` with the reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.eidas.loa import SESSION_LOA_KEY
from accounts.models import EidasIdentity
from exchanges.models import Evidence, EvidenceRequest, ExchangeState
from procedures.models import Application, ApplicationStatus, Procedure, Requirement
from tests.exchanges.factories import make_exchange
from tests.factories import make_citizen, make_upload

pytestmark = pytest.mark.django_db

BIRTH = "https://sr.oots.tech.ec.europa.eu/requirements/0e056d27-0de3-5279-9f9f-96b1dcdd717b"
PREVIEW = "http://127.0.0.1:8000/sim/ep/preview/abc/"

# route -> (URL name, the methods the view accepts). Another citizen gets 404 for each accepted method
# (400 for the return token, which is bound to the owner's session), and 404 or 405 for the others.
USER_OWNED: dict[str, tuple[str, tuple[str, ...]]] = {
    "applications/<uuid:reference>/": ("procedures:application", ("GET", "POST")),
    "applications/<uuid:reference>/files/<slug:key>/": ("procedures:application_file", ("GET",)),
    "applications/<uuid:reference>/delete/": ("procedures:application_discard", ("GET", "POST")),
    "applications/<uuid:reference>/next/": ("procedures:journey", ("GET",)),
    # Every step of the journey (procedures/steps.py); ``part`` is a requirement (or an evidence item).
    "applications/<uuid:reference>/step/<slug:slug>/": ("procedures:journey_step", ("GET", "POST")),
    "applications/<uuid:reference>/step/<slug:slug>/<int:part>/": (
        "procedures:journey_step",
        ("GET", "POST"),
    ),
    "applications/<uuid:reference>/receipt.pdf": ("procedures:application_receipt_pdf", ("GET",)),
    "applications/<uuid:reference>/evidence/status.json": ("procedures:evidence_status_json", ("GET",)),
    "exchanges/<uuid:public_id>/preview/": ("procedures:preview_start", ("POST",)),
    "exchanges/<uuid:public_id>/retry/": ("procedures:exchange_retry", ("POST",)),
    "exchanges/return/<str:token>/": ("procedures:preview_return", ("GET",)),
    "evidence/<int:pk>/": ("procedures:evidence_file", ("GET",)),
}

# Route prefixes (or routes) whose parameters are not the id of a citizen's object.
NOT_USER_OWNED: dict[str, str] = {
    "admin/": "staff, limited to their authorities (enumerated in tests/security/test_authority_scope.py)",
    "sim/": "the simulators (OOTS_SIMULATORS), never on in production; tokens there are the providers'",
    "accounts/^saml/(?P<organization_slug>": "the eIDAS SAML endpoints: the slug names the IdP configuration",
    "procedures/<str:code>/": "a procedure's public code (the published catalogue, the same for everyone)",
    "backoffice/": "an authority's back office, by its API token or a signed link; another authority's token "
    "and a forged or expired link get 404 (tests/registrations/test_api.py, test_webhook.py)",
}


def _routes(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def _id_taking_routes() -> set[str]:
    return {route for route in _routes(get_resolver().url_patterns) if "<" in route}


def _allowed(route: str) -> bool:
    return any(route.startswith(prefix) for prefix in NOT_USER_OWNED)


def _citizen(family_name: str) -> tuple[Client, object]:
    user = make_citizen()
    EidasIdentity.objects.create(
        user=user,
        kind=EidasIdentity.Kind.NATURAL,
        country="BE",
        person_identifier=f"BE/BE/{family_name}",
        given_name="Test",
        family_name=family_name,
        date_of_birth=dt.date(1985, 7, 31),
        loa="high",
        authenticated_at=timezone.now(),
    )
    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_LOA_KEY] = "high"
    session.save()
    return client, user


@pytest.fixture
def owners_objects() -> dict[str, object]:
    """One citizen's draft application with a requirement, an uploaded file, an exchange waiting for a
    preview with a return token in that citizen's session, an evidence, and a submitted application."""
    owner_client, owner = _citizen("Owner")
    procedure = Procedure.objects.get(code="R1")
    requirement, _ = Requirement.objects.get_or_create(
        procedure=procedure, identifier=BIRTH, defaults={"name": "Proof of birth"}
    )
    draft = Application.objects.create(user=owner, procedure=procedure)
    uploaded = make_upload(draft, f"evidence_{requirement.pk}", "birth.pdf")
    exchange = make_exchange(application=draft)
    EvidenceRequest.objects.filter(pk=exchange.pk).update(
        state=ExchangeState.PREVIEW_REQUIRED, preview_location=PREVIEW, preview_method="GET"
    )
    evidence = Evidence.objects.create(
        evidence_request=exchange, identifier="e1", title="Birth certificate", media_type="application/pdf"
    )
    evidence.file.save("e1", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    started = owner_client.post(reverse("procedures:preview_start", args=[exchange.public_id]))
    returnurl = parse_qs(urlsplit(started["Location"]).query)["returnurl"][0]
    token = urlsplit(returnurl).path.rstrip("/").rsplit("/", 1)[-1]
    submitted = Application.objects.create(
        user=owner, procedure=procedure, status=ApplicationStatus.SUBMITTED, submitted_at=timezone.now()
    )
    return {
        "client": owner_client,
        "draft": draft,
        "submitted": submitted,
        "requirement": requirement,
        "file": uploaded,
        "exchange": exchange,
        "evidence": evidence,
        "token": token,
    }


def _kwargs(route: str, objects: dict[str, object]) -> dict[str, object]:
    name = USER_OWNED[route][0]
    draft: Application = objects["draft"]  # type: ignore[assignment]
    by_parameter = {
        "reference": draft.reference,
        "slug": "evidence",
        "part": objects["requirement"].pk,  # type: ignore[attr-defined]
        "key": objects["file"].field_key,  # type: ignore[attr-defined]
        "requirement_id": objects["requirement"].pk,  # type: ignore[attr-defined]
        "public_id": objects["exchange"].public_id,  # type: ignore[attr-defined]
        "token": objects["token"],
        "pk": objects["evidence"].pk,  # type: ignore[attr-defined]
    }
    if name == "procedures:application_receipt_pdf":
        by_parameter["reference"] = objects["submitted"].reference  # type: ignore[attr-defined]
    return {parameter: value for parameter, value in by_parameter.items() if f":{parameter}>" in route}


def test_every_url_that_takes_an_id_is_checked_or_allowed():
    routes = _id_taking_routes()
    unknown = sorted(route for route in routes if route not in USER_OWNED and not _allowed(route))
    assert unknown == [], "add these to USER_OWNED (tested with another user's id) or NOT_USER_OWNED"


def test_the_lists_name_only_routes_that_exist():
    routes = _id_taking_routes()
    assert set(USER_OWNED) <= routes
    for prefix in NOT_USER_OWNED:
        assert any(route.startswith(prefix) for route in routes), prefix


def test_the_owner_reaches_each_of_these_urls(owners_objects):
    """The ids are real: the same requests as the owner do not end in 404 (the preview return last, as it
    uses up the token)."""
    client: Client = owners_objects["client"]  # type: ignore[assignment]
    for route, (name, methods) in sorted(
        USER_OWNED.items(), key=lambda item: item[1][0] == "procedures:preview_return"
    ):
        url = reverse(name, kwargs=_kwargs(route, owners_objects))
        answer = client.get(url) if "GET" in methods else client.post(url)
        if answer.streaming:
            b"".join(answer.streaming_content)  # reading a file response to the end closes its file
        assert answer.status_code != 404, name


@pytest.mark.parametrize("route", sorted(USER_OWNED))
def test_another_citizen_gets_404_for_the_owners_id(owners_objects, route):
    name, methods = USER_OWNED[route]
    url = reverse(name, kwargs=_kwargs(route, owners_objects))
    intruder, _user = _citizen("Intruder")
    expected = 400 if name == "procedures:preview_return" else 404
    for method in ("GET", "POST"):
        answer = getattr(intruder, method.lower())(url)
        if method in methods:
            assert answer.status_code == expected, (method, url)
        else:
            assert answer.status_code in (404, 405), (method, url)
        assert "Location" not in answer, (method, url)
    draft: Application = owners_objects["draft"]  # type: ignore[assignment]
    exchange: EvidenceRequest = owners_objects["exchange"]  # type: ignore[assignment]
    draft.refresh_from_db()
    exchange.refresh_from_db()
    assert draft.data == {}
    assert exchange.state == ExchangeState.PREVIEW_REQUIRED
    assert EvidenceRequest.objects.filter(application=draft).count() == 1


# --- the preview return address is no open redirect ------------------------------------------------------


def _return_url(objects: dict[str, object]) -> str:
    return reverse("procedures:preview_return", args=[objects["token"]])


def _refused(answer) -> bool:  # type: ignore[no-untyped-def]
    return answer.status_code == 400 and "Location" not in answer


def test_a_tampered_return_token_is_refused_without_a_redirect(owners_objects):
    client: Client = owners_objects["client"]  # type: ignore[assignment]
    token: str = owners_objects["token"]  # type: ignore[assignment]
    for tampered in (token[:-2] + ("xx" if not token.endswith("xx") else "yy"), "https:evil.example", "x"):
        assert _refused(client.get(reverse("procedures:preview_return", args=[tampered]))), tampered


def test_a_token_signed_for_another_purpose_is_refused(owners_objects):
    from django.core import signing

    client: Client = owners_objects["client"]  # type: ignore[assignment]
    forged = signing.dumps("https://evil.example/")  # the default salt: not the return address's
    assert _refused(client.get(reverse("procedures:preview_return", args=[forged])))


def test_another_sessions_token_is_refused_even_for_the_same_exchange(owners_objects):
    other_session = Client()
    other_session.force_login(owners_objects["draft"].user)  # type: ignore[attr-defined]
    assert _refused(other_session.get(_return_url(owners_objects)))


@pytest.mark.parametrize("parameter", ["next", "returnurl", "return_to", "url", "redirect"])
def test_a_next_style_parameter_never_moves_the_redirect(owners_objects, parameter):
    client: Client = owners_objects["client"]  # type: ignore[assignment]
    answer = client.get(_return_url(owners_objects), {parameter: "https://evil.example/"})
    draft: Application = owners_objects["draft"]  # type: ignore[assignment]
    assert answer.status_code == 302
    assert answer["Location"] == reverse("procedures:journey_step", args=[draft.reference, "receive"])


def test_a_used_token_is_refused_the_second_time_without_a_redirect(owners_objects):
    client: Client = owners_objects["client"]  # type: ignore[assignment]
    assert client.get(_return_url(owners_objects)).status_code == 302
    assert _refused(client.get(_return_url(owners_objects)))
