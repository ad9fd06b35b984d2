"""The form builder: forms built at run time from a procedure's FormField rows."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from procedures.forms import ApplicationForm, initial_from_answers
from procedures.models import FieldType, Procedure
from tests.factories import add_field

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%test\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# field type → (posted value, stored JSON value, expected HTML fragment)
CASES = {
    FieldType.TEXT: ("Ana", "Ana", 'type="text"'),
    FieldType.LONG_TEXT: ("Line one\nLine two", "Line one\nLine two", "<textarea"),
    FieldType.EMAIL: ("ana@example.org", "ana@example.org", 'type="email"'),
    FieldType.DATE: ("2024-02-29", "2024-02-29", 'type="date"'),
    FieldType.NUMBER: ("1234.50", "1234.5", 'type="number"'),
    FieldType.CHOICE: ("post", "post", "<select"),
    FieldType.CHECKBOX: ("on", True, 'type="checkbox"'),
}


@pytest.fixture
def procedure():
    return Procedure.objects.get(code="T2")


def _form(procedure, data=None, files=None, **kwargs):
    return ApplicationForm(data, files, rows=list(procedure.form_fields.all()), **kwargs)


@pytest.mark.parametrize("field_type", list(CASES))
def test_each_field_type_renders_validates_and_round_trips(procedure, field_type):
    posted, stored, html = CASES[field_type]
    add_field(
        procedure,
        "answer",
        field_type,
        choices="email | Email\npost | Post" if field_type == FieldType.CHOICE else "",
    )
    assert html in str(_form(procedure)["answer"])

    form = _form(procedure, {"answer": posted})
    assert form.is_valid(), form.errors
    assert form.answers() == {"answer": stored}

    rows = list(procedure.form_fields.all())
    again = ApplicationForm(initial=initial_from_answers(rows, form.answers()), rows=rows)
    rendered = str(again["answer"])
    if field_type == FieldType.CHECKBOX:
        assert "checked" in rendered
    elif field_type == FieldType.CHOICE:
        assert 'value="post" selected' in rendered
    else:
        assert str(again["answer"].value()) in (posted, stored, "1234.5")
        expected = {FieldType.DATE: date(2024, 2, 29), FieldType.NUMBER: Decimal("1234.5")}.get(
            field_type, stored
        )
        assert again["answer"].value() == expected


@pytest.mark.parametrize(
    ("field_type", "bad_value"),
    [
        (FieldType.EMAIL, "not-an-email"),
        (FieldType.DATE, "2023-02-30"),
        (FieldType.NUMBER, "twelve"),
        (FieldType.CHOICE, "Pigeon"),
    ],
)
def test_invalid_values_are_rejected(procedure, field_type, bad_value):
    add_field(
        procedure,
        "answer",
        field_type,
        choices="email | Email\npost | Post" if field_type == FieldType.CHOICE else "",
    )
    form = _form(procedure, {"answer": bad_value})
    assert not form.is_valid()
    assert "answer" in form.errors


@pytest.mark.parametrize("field_type", [*CASES, FieldType.FILE])
def test_required_fields_are_enforced_on_submission(procedure, field_type):
    add_field(
        procedure,
        "answer",
        field_type,
        choices="email | Email\npost | Post" if field_type == FieldType.CHOICE else "",
    )
    form = _form(procedure, {})
    assert not form.is_valid()
    assert "answer" in form.errors


@pytest.mark.parametrize("field_type", [*CASES, FieldType.FILE])
def test_a_draft_may_leave_required_fields_empty(procedure, field_type):
    add_field(
        procedure,
        "answer",
        field_type,
        choices="email | Email\npost | Post" if field_type == FieldType.CHOICE else "",
    )
    assert _form(procedure, {}, for_draft=True).is_valid()


def test_optional_fields_may_stay_empty(procedure):
    add_field(procedure, "note", FieldType.TEXT, required=False)
    form = _form(procedure, {"note": ""})
    assert form.is_valid()
    assert form.answers() == {"note": None}


def test_file_field_accepts_a_pdf_and_reports_its_sniffed_type(procedure):
    add_field(procedure, "document", FieldType.FILE)
    upload = SimpleUploadedFile("diploma.pdf", PDF, content_type="application/pdf")
    assert 'type="file"' in str(_form(procedure)["document"])
    form = _form(procedure, {}, {"document": upload})
    assert form.is_valid(), form.errors
    assert form.uploads()["document"].sniffed_content_type == "application/pdf"


def test_file_field_rejects_content_that_is_not_an_accepted_document(procedure):
    add_field(procedure, "document", FieldType.FILE)
    disguised = SimpleUploadedFile("diploma.pdf", b"MZ\x90\x00 an executable", content_type="application/pdf")
    form = _form(procedure, {}, {"document": disguised})
    assert not form.is_valid()
    assert "not accepted" in form.errors["document"][0]


def test_file_field_rejects_files_over_the_size_limit(procedure, settings):
    settings.OOTS_UPLOAD_MAX_BYTES = 100
    add_field(procedure, "document", FieldType.FILE)
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * 200, content_type="application/pdf")
    form = _form(procedure, {}, {"document": big})
    assert not form.is_valid()
    assert "too large" in form.errors["document"][0]


def test_an_uploaded_file_satisfies_a_required_file_field(procedure):
    add_field(procedure, "document", FieldType.FILE)
    assert _form(procedure, {}, uploaded_keys={"document"}).is_valid()


def test_fields_render_in_the_owner_configured_order(procedure):
    add_field(procedure, "second").__class__.objects.filter(key="second").update(order=20)
    add_field(procedure, "first").__class__.objects.filter(key="first").update(order=10)
    assert list(_form(procedure).fields) == ["first", "second"]


def test_help_text_is_linked_to_its_input_for_screen_readers(procedure):
    field = add_field(procedure, "programme")
    field.help_text = "As written on the university's website"
    field.save()
    html = str(_form(procedure)["programme"])
    assert 'aria-describedby="id_programme_helptext"' in html
