"""Migration 0003 of accounts: the identities recorded before it keep what they said."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("accounts", "0002_eidas_identity")]
AFTER = [("accounts", "0003_eidas_identity_complete")]


@pytest.fixture
def executor(transactional_db):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    executor.loader.build_graph()
    yield executor
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _migrate(executor: MigrationExecutor, target):
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def test_the_representative_and_the_other_legal_identifiers_move_to_their_columns(executor):
    apps = executor.loader.project_state(BEFORE).apps
    user = apps.get_model("accounts", "User").objects.create(username="carmen")
    apps.get_model("accounts", "EidasIdentity").objects.create(
        user=user,
        kind="representative",
        person_identifier="ES/BE/12345678Z",
        given_name="Carmen",
        family_name="García López",
        date_of_birth=datetime.date(1975, 3, 18),
        legal_person_identifier="ES/BE/B12345678",
        legal_name="Soluciones Ibéricas S.L.",
        legal_attributes={"VATRegistration": "ESB12345678", "LEI": "959800R1TQ8MZLQY6N44"},
        current_address="PGVpZGFzOlBvc3ROYW1lPk1hZHJpZDwvZWlkYXM6UG9zdE5hbWU+",
        loa="high",
        authenticated_at=timezone.now(),
    )
    identity = _migrate(executor, AFTER).get_model("accounts", "EidasIdentity").objects.get()
    assert (identity.representative_given_name, identity.representative_person_identifier) == (
        "Carmen",
        "ES/BE/12345678Z",
    )
    assert identity.representative_date_of_birth == datetime.date(1975, 3, 18)
    assert (identity.person_identifier, identity.given_name, identity.date_of_birth) == ("", "", None)
    assert (identity.vat_registration, identity.lei, identity.legal_name) == (
        "ESB12345678",
        "959800R1TQ8MZLQY6N44",
        "Soluciones Ibéricas S.L.",
    )

    back = _migrate(executor, BEFORE).get_model("accounts", "EidasIdentity").objects.get()
    assert (back.given_name, back.person_identifier) == ("Carmen", "ES/BE/12345678Z")
    assert back.legal_attributes == {"VATRegistration": "ESB12345678", "LEI": "959800R1TQ8MZLQY6N44"}


def test_a_natural_person_keeps_their_attributes(executor):
    apps = executor.loader.project_state(BEFORE).apps
    user = apps.get_model("accounts", "User").objects.create(username="jan")
    apps.get_model("accounts", "EidasIdentity").objects.create(
        user=user,
        kind="natural",
        person_identifier="BE/BE/85073100123",
        given_name="Jan",
        family_name="Peeters",
        date_of_birth=datetime.date(1985, 7, 31),
        place_of_birth="Leuven",
        gender="Male",
        loa="substantial",
        authenticated_at=timezone.now(),
    )
    identity = _migrate(executor, AFTER).get_model("accounts", "EidasIdentity").objects.get()
    assert (identity.given_name, identity.place_of_birth, identity.gender) == ("Jan", "Leuven", "Male")
    assert identity.representative_person_identifier == ""
