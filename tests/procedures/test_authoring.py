"""Content in the citizen's language and the owner's form builder (issue 15 items 5 and 6).

The admin is driven over HTTP as an owner; the citizen's pages with the test client; no part is mocked.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.eidas.loa import SESSION_LOA_KEY
from accounts.models import EidasAddress, EidasIdentity, LevelOfAssurance
from procedures.forms import ApplicationForm
from procedures.models import (
    Application,
    ApplicationStatus,
    FieldType,
    FormField,
    PrefillSource,
    Procedure,
)
from procedures.receipt_pdf import receipt_pdf
from tests.factories import add_field, make_citizen, make_owner
from tests.procedures.test_receipt_pdf import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def procedure():
    return Procedure.objects.get(code="T2")


@pytest.fixture
def owner_client(client):
    client.force_login(make_owner())
    return client


def _answers_step(client, citizen, application: Application) -> str:  # type: ignore[no-untyped-def]
    """The journey's answers step, for ``citizen`` logged in through eIDAS at a level any procedure takes."""
    if not EidasIdentity.objects.filter(user=citizen).exists():
        EidasIdentity.objects.create(
            user=citizen,
            kind=EidasIdentity.Kind.NATURAL,
            given_name="Ana",
            family_name="Test",
            authenticated_at=timezone.now(),
        )
    client.force_login(citizen)
    session = client.session
    session[SESSION_LOA_KEY] = LevelOfAssurance.HIGH
    session.save()
    return reverse("procedures:journey_step", args=[application.reference, "answers"])


def _channel(procedure: Procedure) -> FormField:
    field = add_field(procedure, "channel", FieldType.CHOICE, label="Contact channel", choices="")
    field.choices_en = "email | Email\npost | Post"
    field.choices_fr = "email | Courriel\npost | Courrier"
    field.label_fr = "Moyen de contact"
    field.save()
    return field


def _conditional(procedure: Procedure) -> FormField:
    field = add_field(procedure, "address", label="Postal address")
    field.label_fr = "Adresse postale"
    field.show_when_key = "channel"
    field.show_when_value = "post"
    field.save()
    return field


def _form(procedure: Procedure, data=None, **kwargs) -> ApplicationForm:
    return ApplicationForm(data, rows=list(procedure.form_fields.all()), **kwargs)


# --- content in the citizen's language -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "name"),
    [
        ("en", "Requesting a birth certificate"),
        ("fr", "Demande d'un acte de naissance"),
        ("de", "Beantragung einer Geburtsurkunde"),
    ],
)
def test_the_shipped_procedures_have_their_names_in_english_french_and_german(language, name):
    with translation.override(language):
        assert Procedure.objects.get(code="R1").name == name
    for code in ("T1", "X1", "X6"):
        procedure = Procedure.objects.get(code=code)
        assert procedure.name_fr and procedure.name_de and procedure.name_fr != procedure.name_en


def test_a_label_not_translated_falls_back_to_the_first_language(procedure):
    add_field(procedure, "programme", label="Study programme")
    with translation.override("de"):
        assert FormField.objects.get(key="programme").label == "Study programme"


def test_a_choice_is_stored_as_its_key_and_shown_with_the_label_of_the_language(procedure):
    _channel(procedure)
    with translation.override("fr"):
        html = str(_form(procedure)["channel"])
        assert 'value="post"' in html and ">Courrier<" in html
        form = _form(procedure, {"channel": "post"})
        assert form.is_valid(), form.errors
    assert form.answers() == {"channel": "post"}


def test_the_procedure_page_and_home_show_the_procedure_in_french(client):
    response = client.get(reverse("procedures:procedure", args=["R1"]), HTTP_ACCEPT_LANGUAGE="fr")
    assert "Demande d&#x27;un acte de naissance" in response.content.decode()


def test_the_receipt_is_in_the_citizens_language_labels_choices_and_dates(procedure):
    _channel(procedure)
    start = add_field(procedure, "start", FieldType.DATE, label="Start date")
    start.label_de = "Beginn"
    start.save()
    application = Application.objects.create(
        user=make_citizen(),
        procedure=procedure,
        data={"channel": "post", "start": "2027-03-09"},
        status=ApplicationStatus.SUBMITTED,
        submitted_at=timezone.make_aware(dt.datetime(2027, 3, 1, 10, 30)),
    )
    with translation.override("fr"):
        text = pdf_text(receipt_pdf(application))
    assert "Moyen de contact: Courrier" in text
    assert "Start date: 9 mars 2027" in text  # not translated by the owner: the first language's label
    assert "Contact channel" not in text and "Post" not in text.replace("Courrier", "")
    with translation.override("de"):
        text = pdf_text(receipt_pdf(application))
    assert "Beginn: 9. März 2027" in text
    assert "1. März 2027" in text  # submitted on, day first


def test_the_receipt_page_shows_the_choice_label_in_french(client, procedure):
    _channel(procedure)
    citizen = make_citizen()
    application = Application.objects.create(
        user=citizen, procedure=procedure, data={"channel": "post"}, status=ApplicationStatus.SUBMITTED
    )
    client.force_login(citizen)
    response = client.get(
        reverse("procedures:application", args=[application.reference]), HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert "<dd>Courrier</dd>" in response.content.decode()


# --- conditional fields ---------------------------------------------------------------------------------


def test_a_hidden_conditional_field_is_neither_required_nor_stored(procedure):
    _channel(procedure)
    _conditional(procedure)
    form = _form(procedure, {"channel": "email", "address": "sent anyway by a crafted post"})
    assert form.is_valid(), form.errors
    assert form.answers() == {"channel": "email"}


def test_a_shown_conditional_field_is_required_and_stored(procedure):
    _channel(procedure)
    _conditional(procedure)
    form = _form(procedure, {"channel": "post", "address": ""})
    assert not form.is_valid()
    assert "address" in form.errors
    form = _form(procedure, {"channel": "post", "address": "1 Main Street"})
    assert form.is_valid(), form.errors
    assert form.answers() == {"channel": "post", "address": "1 Main Street"}


def test_a_conditional_field_carries_its_condition_to_the_page(procedure):
    _channel(procedure)
    _conditional(procedure)
    form = _form(procedure)
    assert form.fields["address"].show_when == ("channel", "post")
    assert not form.fields["address"].required


# --- pre-filled from eIDAS ------------------------------------------------------------------------------


@pytest.fixture
def identified_citizen():
    citizen = make_citizen()
    identity = EidasIdentity.objects.create(
        user=citizen,
        kind=EidasIdentity.Kind.NATURAL,
        given_name="Camille",
        family_name="Martin",
        date_of_birth=dt.date(1990, 5, 17),
        authenticated_at=timezone.now(),
    )
    EidasAddress.objects.create(
        identity=identity, role=EidasAddress.Role.CURRENT, thoroughfare="Rue Haute", post_name="Bruxelles"
    )
    return citizen


def test_fields_are_prefilled_from_the_eidas_login_and_can_be_changed(client, procedure, identified_citizen):
    given = add_field(procedure, "given", label="Given name")
    given.prefill = PrefillSource.GIVEN_NAME
    given.save()
    birth = add_field(procedure, "birth", FieldType.DATE, label="Date of birth")
    birth.prefill = PrefillSource.DATE_OF_BIRTH
    birth.save()
    application = Application.objects.create(user=identified_citizen, procedure=procedure)
    url = _answers_step(client, identified_citizen, application)
    page = client.get(url).content.decode()
    assert 'value="Camille"' in page and 'value="1990-05-17"' in page
    client.post(url, {"action": "save", "given": "Camila", "birth": "1990-05-17"})
    application.refresh_from_db()
    assert application.data == {"given": "Camila", "birth": "1990-05-17"}
    assert 'value="Camila"' in client.get(url).content.decode()  # the citizen's answer, not eIDAS again


def test_a_locked_prefilled_field_keeps_the_eidas_value_whatever_is_posted(
    client, procedure, identified_citizen
):
    family = add_field(procedure, "family", label="Family name")
    family.prefill = PrefillSource.FAMILY_NAME
    family.prefill_locked = True
    family.save()
    application = Application.objects.create(user=identified_citizen, procedure=procedure)
    url = _answers_step(client, identified_citizen, application)
    assert "disabled" in client.get(url).content.decode()
    client.post(url, {"action": "save", "family": "Someone Else"})
    application.refresh_from_db()
    assert application.data == {"family": "Martin"}


# --- safe changes ---------------------------------------------------------------------------------------


def _change_page_data(owner_client, procedure: Procedure) -> dict[str, str]:
    """The procedure's change form as the browser would post it, unchanged."""
    response = owner_client.get(reverse("admin:procedures_procedure_change", args=[procedure.pk]))
    data: dict[str, str] = {}
    form = response.context["adminform"].form
    for name in form.fields:
        value = form[name].value()
        if name != "code" and value not in (None, False, ""):
            data[name] = "on" if value is True else str(value)
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = str(management[name].value())
        for form in formset.formset.forms:
            for name in form.fields:
                value = form[name].value()
                if value is None or value is False or value == "":
                    continue
                data[form.add_prefix(name)] = "on" if value is True else str(value)
    return data


def test_a_type_change_that_stored_answers_cannot_follow_is_refused(owner_client, procedure):
    field = add_field(procedure, "programme", label="Study programme")
    Application.objects.create(user=make_citizen(), procedure=procedure, data={"programme": "Physics"})
    data = _change_page_data(owner_client, procedure)
    data["form_fields-0-field_type"] = FieldType.NUMBER
    response = owner_client.post(reverse("admin:procedures_procedure_change", args=[procedure.pk]), data)
    assert response.status_code == 200
    assert "1 stored answer is not a valid “Number” answer" in response.content.decode()
    field.refresh_from_db()
    assert field.field_type == FieldType.TEXT


def test_a_type_change_every_stored_answer_fits_is_saved(owner_client, procedure):
    field = add_field(procedure, "start", label="Start")
    Application.objects.create(user=make_citizen(), procedure=procedure, data={"start": "2027-09-01"})
    data = _change_page_data(owner_client, procedure)
    data["form_fields-0-field_type"] = FieldType.DATE
    response = owner_client.post(reverse("admin:procedures_procedure_change", args=[procedure.pk]), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    field.refresh_from_db()
    assert field.field_type == FieldType.DATE


def test_a_key_change_moves_the_stored_answers_with_it(owner_client, procedure):
    add_field(procedure, "programme", label="Study programme")
    application = Application.objects.create(
        user=make_citizen(), procedure=procedure, data={"programme": "Physics"}
    )
    data = _change_page_data(owner_client, procedure)
    data["form_fields-0-key"] = "study_programme"
    response = owner_client.post(reverse("admin:procedures_procedure_change", args=[procedure.pk]), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    application.refresh_from_db()
    assert application.data == {"study_programme": "Physics"}


def test_a_draft_whose_answer_no_longer_fits_its_field_still_opens(client, procedure):
    field = add_field(procedure, "amount", label="Amount")
    citizen = make_citizen()
    application = Application.objects.create(user=citizen, procedure=procedure, data={"amount": "about ten"})
    FormField.objects.filter(pk=field.pk).update(field_type=FieldType.NUMBER)  # as an old change could have
    response = client.get(_answers_step(client, citizen, application))
    assert response.status_code == 200
    assert 'name="amount"' in response.content.decode()


def test_a_condition_on_a_field_that_does_not_come_before_is_refused(owner_client, procedure):
    add_field(procedure, "address", label="Postal address")
    data = _change_page_data(owner_client, procedure)
    data["form_fields-0-show_when_key"] = "channel"
    data["form_fields-0-show_when_value"] = "post"
    response = owner_client.post(reverse("admin:procedures_procedure_change", args=[procedure.pk]), data)
    assert response.status_code == 200
    assert "comes before this one" in response.content.decode()


def test_choices_typed_without_keys_in_french_take_the_english_keys_line_by_line(owner_client, procedure):
    _channel(procedure)
    data = _change_page_data(owner_client, procedure)
    data["form_fields-0-choices_fr"] = "Courriel\nCourrier"
    data["form_fields-0-choices_de"] = "E-Mail\nPost\nFax"
    url = reverse("admin:procedures_procedure_change", args=[procedure.pk])
    response = owner_client.post(url, data)
    assert "List the same options" in response.content.decode()  # German has one option too many
    data["form_fields-0-choices_de"] = "E-Mail\nBrief"
    assert owner_client.post(url, data).status_code == 302
    with translation.override("de"):
        assert FormField.objects.get(key="channel").choice_list() == [("email", "E-Mail"), ("post", "Brief")]


# --- the preview ----------------------------------------------------------------------------------------


def test_the_preview_shows_the_saved_form_in_the_chosen_language(owner_client, procedure):
    _channel(procedure)
    _conditional(procedure)
    url = reverse("admin:procedures_procedure_form_preview", args=[procedure.pk])
    response = owner_client.get(url, {"language": "fr"})
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr">' in page
    assert "Moyen de contact" in page and "Courrier" in page
    assert 'data-show-when-field="channel" data-show-when-value="post"' in page
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]


def test_the_preview_shows_unsaved_changes_and_saves_nothing(owner_client, procedure):
    add_field(procedure, "programme", label="Study programme")
    data = _change_page_data(owner_client, procedure)
    data["form_fields-0-label_en"] = "Programme of study (unsaved)"
    data["preview_language"] = "en"
    url = reverse("admin:procedures_procedure_form_preview", args=[procedure.pk])
    response = owner_client.post(url, data)
    assert "Programme of study (unsaved)" in response.content.decode()
    assert FormField.objects.get(key="programme").label == "Study programme"


def test_the_change_page_offers_the_builder_and_its_preview_without_inline_script(owner_client, procedure):
    response = owner_client.get(reverse("admin:procedures_procedure_change", args=[procedure.pk]))
    page = response.content.decode()
    assert "js/form_builder.js" in page
    assert 'formtarget="form-preview"' in page
    assert "form_fields-0-label_fr" not in page  # no field yet; the empty row carries each language:
    assert "form_fields-__prefix__-label_fr" in page and "form_fields-__prefix__-label_de" in page


def test_an_exchange_shows_the_evidence_title_and_provider_name_of_the_readers_language():

    from procedures.localized import evidence_title, provider_name
    from tests.exchanges.factories import make_exchange

    exchange = make_exchange()
    content = exchange.request_content
    content["evidence"]["titles"] = [
        {"__type__": "LocalizedText", "value": "Diploma", "lang": "EN"},
        {"__type__": "LocalizedText", "value": "Diplôme", "lang": "FR"},
    ]
    content["evidence_provider"]["names"] = [
        {"__type__": "LocalizedText", "value": "University", "lang": "EN"},
        {"__type__": "LocalizedText", "value": "Universität", "lang": "DE"},
    ]
    exchange.save()
    with translation.override("fr"):
        assert (evidence_title(exchange), provider_name(exchange)) == ("Diplôme", exchange.provider_name)
    with translation.override("de"):
        assert (evidence_title(exchange), provider_name(exchange)) == (
            exchange.evidence_type_title,
            "Universität",
        )


def test_the_edm_request_names_the_requirement_in_the_portals_first_language_whatever_the_citizens():
    from procedures.models import Requirement
    from procedures.request_content import requirement_reference

    requirement = Requirement.objects.create(
        procedure=Procedure.objects.get(code="T2"),
        identifier="https://sr.oots.tech.ec.europa.eu/requirements/x",
        name_en="Proof of secondary education completion",
        name_fr="Preuve d'achèvement des études secondaires",
    )
    with translation.override("fr"):
        names = requirement_reference(requirement).names
    assert [(text.value, text.lang) for text in names] == [("Proof of secondary education completion", "EN")]


def test_an_answer_whose_field_becomes_hidden_is_removed_from_the_draft(client, procedure):
    _channel(procedure)
    _conditional(procedure)
    citizen = make_citizen()
    application = Application.objects.create(user=citizen, procedure=procedure)
    url = _answers_step(client, citizen, application)
    client.post(url, {"action": "save", "channel": "post", "address": "1 Main Street"})
    application.refresh_from_db()
    assert application.data == {"channel": "post", "address": "1 Main Street"}
    client.post(url, {"action": "save", "channel": "email", "address": "1 Main Street"})
    application.refresh_from_db()
    assert application.data == {"channel": "email"}


def test_a_requirement_keeps_the_evidence_brokers_names_and_descriptions_per_language():
    from oots_client.common_services.model import LocalizedText
    from oots_client.common_services.model import Requirement as EbRequirement
    from procedures.common_services import requirements_import

    procedure = Procedure.objects.get(code="T2")
    found = EbRequirement(
        identifier="https://sr.oots.tech.ec.europa.eu/requirements/y",
        names=(LocalizedText("Proof of age", "EN"), LocalizedText("Preuve de l'âge", "FR")),
        descriptions=(
            LocalizedText("Shows the date of birth.", "EN"),
            LocalizedText("Altersnachweis.", "DE"),
        ),
    )
    assert requirements_import(procedure=procedure, chosen=[found]) == (1, 0)
    row = procedure.requirements.get()
    assert (row.name_en, row.name_fr, row.name_de) == ("Proof of age", "Preuve de l'âge", None)
    assert (row.description_en, row.description_fr, row.description_de) == (
        "Shows the date of birth.",
        None,
        "Altersnachweis.",
    )
    with translation.override("de"):
        assert (row.name, row.description) == ("Proof of age", "Altersnachweis.")
