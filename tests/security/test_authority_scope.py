"""A staff user of authority A gets 404 for every admin URL, file and evidence of authority B, never sees a
draft, and a model or URL added to the admin later is covered without being named here.

The admin's registered models and URL patterns are enumerated from the site: every registered model whose
rows lead to an authority (found by following its foreign keys, not by asking the admin) is checked with
each of B's rows; every other registered model must be closed to staff; every admin URL that takes an id
must have its parameter in ``ID_PARAMETERS``, so that a new one fails here until it is checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse
from django.utils import timezone

from authorities.models import Authority
from authorities.services import membership_add
from exchanges.audit import chain_append, explicit_request_record
from exchanges.models import Evidence, ExchangeLog, IncomingMessage, IncomingState, LogDirection
from procedures.models import (
    Application,
    ApplicationFile,
    ApplicationStatus,
    CaseStatusChange,
    Notification,
    NotificationKind,
    Procedure,
)
from registrations.models import ApiToken, Delivery, RegistrationBackend, SigningKey
from tests.exchanges.factories import make_exchange
from tests.factories import make_authority, make_citizen, make_owner, make_upload

pytestmark = pytest.mark.django_db

#: The id parameters of the admin's own URLs (outside the ModelAdmin's standard change/history/delete)
#: and the model each one names.
ID_PARAMETERS: dict[str, type[models.Model]] = {
    "file_id": ApplicationFile,
    "evidence_id": Evidence,
    "procedure_id": Procedure,
    "application_id": Application,
}
#: Parameters of the standard ModelAdmin URLs, checked per registered model below.
STANDARD_PARAMETERS = {"object_id", "app_label", "content_type_id", "url"}
ROUTE_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>")


def _authority_world(authority: Authority, procedure_code: str, family_name: str) -> dict[str, Any]:
    procedure = Procedure.objects.get(code=procedure_code)
    procedure.authority = authority
    procedure.save()
    citizen = make_citizen()
    submitted = Application.objects.create(
        user=citizen,
        procedure=procedure,
        status=ApplicationStatus.SUBMITTED,
        submitted_at=timezone.now(),
        data={"family_name": family_name},
    )
    draft = Application.objects.create(user=make_citizen(), procedure=procedure, data={"secret": "draft"})
    make_upload(submitted, "diploma", f"{family_name}.pdf")
    make_upload(draft, "diploma", f"{family_name}-draft.pdf")
    for application in (submitted, draft):
        exchange = make_exchange(application=application)
        evidence = Evidence.objects.create(
            evidence_request=exchange,
            identifier="e1",
            title=f"{family_name} evidence",
            media_type="application/pdf",
        )
        evidence.file.save("e1", ContentFile(b"%PDF-1.4\n%%EOF\n"))
        IncomingMessage.objects.create(
            ebms_message_id=f"{exchange.public_id}@ap",
            evidence_request=exchange,
            state=IncomingState.PROCESSED,
        )
        chain_append(evidence_request=exchange, direction=LogDirection.OUT, event="sent")
        # The audit trail's record of the explicit request (superusers only: it is the auditors').
        explicit_request_record(evidence_request=exchange, given_at=timezone.now(), shown=None)
    CaseStatusChange.objects.create(application=submitted, status="in_progress", message="We are on it")
    for application in (submitted, draft):
        Notification.objects.create(
            application=application,
            kind=NotificationKind.CASE_STATUS,
            key=f"test:{application.pk}",
            email="citizen@example.org",
            language="en",
        )
    # Back-office delivery (registrations): a backend, its delivery, a signing key and an API token.
    backend = RegistrationBackend.objects.create(procedure=procedure, kind="api", name="Back office")
    Delivery.objects.create(application=submitted, backend=backend, state="available")
    SigningKey.objects.create(authority=authority)
    token = ApiToken(authority=authority, name="Case system")
    token.set_new_token()
    token.save()
    return {"authority": authority, "submitted": submitted, "draft": draft}


@pytest.fixture
def world() -> dict[str, Any]:
    """Authorities A and B, each with a procedure, a submitted application and a draft, files, exchanges,
    evidence, incoming messages and log entries; a staff user of A in both roles and with every permission
    a misconfigured group could give (not a superuser)."""
    a = _authority_world(make_authority("Authority A"), "T2", "Alpha")
    b = _authority_world(make_authority("Authority B"), "T3", "Bravo")
    user = make_owner(authority=a["authority"])
    membership_add(user=user, authority=a["authority"], role="case_worker")
    user.user_permissions.set(Permission.objects.all())
    client = Client()
    client.force_login(user)
    return {"a": a, "b": b, "client": client, "user": user}


def _authority_of(obj: models.Model, depth: int = 0) -> Authority | None:
    """The authority a row belongs to, by its foreign keys (the test's own reading, not the admin's)."""
    if isinstance(obj, Authority):
        return obj
    if depth > 5:
        return None
    for field in obj._meta.concrete_fields:
        if isinstance(field, models.ForeignKey):
            target = getattr(obj, field.name)
            if target is not None:
                found = _authority_of(target, depth + 1)
                if found is not None:
                    return found
    return None


def _leads_to_authority(model: type[models.Model], depth: int = 0) -> bool:
    if model is Authority:
        return True
    if depth > 5:
        return False
    return any(
        isinstance(field, models.ForeignKey) and _leads_to_authority(field.related_model, depth + 1)
        for field in model._meta.concrete_fields
    )


def _is_draft_row(obj: models.Model) -> bool:
    application = obj if isinstance(obj, Application) else None
    probe = obj
    for _step in range(4):
        if application is not None:
            break
        fk = next(
            (
                f
                for f in probe._meta.concrete_fields
                if isinstance(f, models.ForeignKey) and getattr(probe, f.name)
            ),
            None,
        )
        if fk is None:
            break
        probe = getattr(probe, fk.name)
        application = probe if isinstance(probe, Application) else None
    return application is not None and application.status == ApplicationStatus.DRAFT


REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
SCOPED = [(model, model_admin) for model, model_admin in REGISTERED if _leads_to_authority(model)]
UNSCOPED = [(model, model_admin) for model, model_admin in REGISTERED if not _leads_to_authority(model)]


def _admin_url(model: type[models.Model], view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_the_registry_has_models_of_both_kinds():
    assert {model for model, _ in SCOPED} >= {
        Authority,
        Procedure,
        Application,
        Evidence,
        ExchangeLog,
        Notification,
    }
    assert UNSCOPED, "users, groups and the like are registered too"


@pytest.mark.parametrize(("model", "model_admin"), SCOPED, ids=lambda value: getattr(value, "__name__", ""))
def test_staff_of_a_get_404_for_every_row_of_b_and_for_drafts(world, model, model_admin):
    client: Client = world["client"]
    b_authority = world["b"]["authority"]
    rows = list(model.objects.all())
    hidden = [row for row in rows if _authority_of(row) == b_authority or _is_draft_row(row)]
    assert hidden, f"the world has no row of {model.__name__} to hide"
    for row in hidden:
        for view in ("change", "history", "delete"):
            url = _admin_url(model, view, row.pk)
            for method in ("get", "post"):
                answer = getattr(client, method)(url)
                assert answer.status_code == 404, (method, url, answer.status_code)
    listing = client.get(_admin_url(model, "changelist"))
    if listing.status_code == 200:
        shown = {row.pk for row in listing.context["cl"].result_list}
        assert shown.isdisjoint({row.pk for row in hidden}), model.__name__
    else:
        assert listing.status_code == 403


@pytest.mark.parametrize(("model", "model_admin"), UNSCOPED, ids=lambda value: getattr(value, "__name__", ""))
def test_models_of_no_authority_are_closed_to_staff(world, model, model_admin):
    client: Client = world["client"]
    assert client.get(_admin_url(model, "changelist")).status_code == 403
    for row in model.objects.all()[:5]:
        assert client.get(_admin_url(model, "change", row.pk)).status_code == 404


def _patterns(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif pattern.name:
            yield prefix + str(pattern.pattern), pattern.name


def _model_of_route(route: str) -> type[models.Model] | None:
    for model, _model_admin in REGISTERED:
        if route.startswith(f"{model._meta.app_label}/{model._meta.model_name}/"):
            return model
    return None


def _id_routes() -> list[tuple[str, str, set[str], type[models.Model] | None]]:
    found = []
    for route, name in _patterns(admin.site.get_urls()):
        parameters = {a or b for a, b in ROUTE_PARAMETER.findall(route)} - STANDARD_PARAMETERS
        if parameters:
            found.append((route, name, parameters, _model_of_route(route)))
    return found


def test_every_admin_url_that_takes_an_id_is_known():
    """A URL under a model of an authority names its id parameter in ID_PARAMETERS; a URL under any other
    model is closed to staff by its model (checked below)."""
    unknown = sorted(
        (route, sorted(parameters - set(ID_PARAMETERS)))
        for route, _name, parameters, model in _id_routes()
        if (model is None or _leads_to_authority(model)) and parameters - set(ID_PARAMETERS)
    )
    assert unknown == [], "add the parameter to ID_PARAMETERS (then B's ids are tried on it)"


def _custom_routes() -> list[tuple[str, str]]:
    return [
        (name, parameter)
        for _route, name, parameters, model in _id_routes()
        if model is None or _leads_to_authority(model)
        for parameter in parameters & set(ID_PARAMETERS)
    ]


def _closed_routes() -> list[tuple[str, str, type[models.Model]]]:
    return [
        (name, parameter, model)
        for _route, name, parameters, model in _id_routes()
        if model is not None and not _leads_to_authority(model)
        for parameter in parameters
    ]


def test_the_custom_admin_urls_are_found():
    assert {name for name, _ in _custom_routes()} >= {
        "procedures_application_file",
        "exchanges_evidence_file",
        "procedures_procedure_pull_requirements",
    }
    assert "otp_totp_totpdevice_qrcode" in {name for name, _, _ in _closed_routes()}


@pytest.mark.parametrize(("name", "parameter", "model"), _closed_routes())
def test_the_admin_urls_of_models_of_no_authority_are_closed_to_staff(world, name, parameter, model):
    """A second factor's QR code, another user's password: not for staff, whoever's they are."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=world["user"], name="phone")
    for row in model.objects.all()[:5]:
        answer = world["client"].get(reverse(f"admin:{name}", kwargs={parameter: row.pk}))
        assert answer.status_code in (403, 404), (name, row.pk, answer.status_code)


@pytest.mark.parametrize(("name", "parameter"), _custom_routes())
def test_staff_of_a_get_404_for_each_custom_admin_url_with_an_id_of_b(world, name, parameter):
    client: Client = world["client"]
    model = ID_PARAMETERS[parameter]
    b_authority = world["b"]["authority"]
    hidden = [row for row in model.objects.all() if _authority_of(row) == b_authority or _is_draft_row(row)]
    assert hidden
    for row in hidden:
        url = reverse(f"admin:{name}", kwargs={parameter: row.pk})
        for method in ("get", "post"):
            answer = getattr(client, method)(url)
            assert answer.status_code == 404, (method, url, answer.status_code)


@pytest.mark.parametrize(("name", "parameter"), _custom_routes())
def test_the_same_urls_answer_staff_of_a_for_their_own_rows(world, name, parameter):
    """The ids are real: A's own submitted rows do not end in 404."""
    client: Client = world["client"]
    model = ID_PARAMETERS[parameter]
    a_authority = world["a"]["authority"]
    mine = [
        row for row in model.objects.all() if _authority_of(row) == a_authority and not _is_draft_row(row)
    ]
    assert mine
    answer = client.get(reverse(f"admin:{name}", kwargs={parameter: mine[0].pk}))
    if answer.streaming:
        b"".join(answer.streaming_content)
    assert answer.status_code != 404, name


def test_a_superuser_sees_every_authoritys_applications_but_staff_only_their_own(world):
    from accounts.models import User

    operator = User.objects.create_superuser("operator", "op@example.org", "operator-password-1")
    client = Client()
    client.force_login(operator)
    everything = client.get(_admin_url(Application, "changelist")).context["cl"].result_list
    assert {world["a"]["submitted"].pk, world["b"]["submitted"].pk} <= {row.pk for row in everything}
    mine = world["client"].get(_admin_url(Application, "changelist")).context["cl"].result_list
    assert [row.pk for row in mine] == [world["a"]["submitted"].pk]


def test_the_export_of_staff_of_a_holds_nothing_of_b_nor_drafts_and_b_s_procedure_is_404(world):
    client: Client = world["client"]
    url = reverse("admin:procedures_application_export")
    exported = client.get(url, {"format": "json"}).content.decode()
    assert str(world["a"]["submitted"].reference) in exported
    for hidden in (world["b"]["submitted"], world["b"]["draft"], world["a"]["draft"]):
        assert str(hidden.reference) not in exported
    answer = client.get(url, {"format": "csv", "procedure": world["b"]["submitted"].procedure_id})
    assert answer.status_code == 404
