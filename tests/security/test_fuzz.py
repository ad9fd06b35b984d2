"""Damaged and hostile input gives typed errors, never an unhandled exception (a short run; the long one
is ``bench/fuzz.py``)."""

import base64
import random

import pytest

from oots_client.access_point import MalformedSoapError, soap
from oots_client.access_point.inspect import inspect_message
from oots_client.edm import EdmError, parse_message, validate_message
from tests.security.fuzzing import mutate, seeds, soap_seeds

ROUNDS = 400


@pytest.fixture(scope="module")
def corpus(data_dir):
    found = seeds(data_dir)
    assert len(found) >= 30
    return found


def test_the_edm_parser_and_validator_survive_damaged_messages(corpus):
    rng = random.Random(20261127)
    outcomes = {"parsed": 0, "refused": 0}
    for _ in range(ROUNDS):
        data = mutate(rng.choice(corpus), rng)
        try:
            parse_message(data)
            validate_message(data, schematron=False)
            outcomes["parsed"] += 1
        except EdmError:
            outcomes["refused"] += 1
    # Both branches are exercised: some damage is harmless (inside text), most is not.
    assert outcomes["parsed"] > 0 and outcomes["refused"] > 0


def test_the_soap_reader_survives_damaged_envelopes(corpus):
    rng = random.Random(7)
    envelopes = soap_seeds(corpus)
    assert len(envelopes) >= 10
    outcomes = {"read": 0, "refused": 0}
    for _ in range(ROUNDS):
        try:
            inspect_message(mutate(rng.choice(envelopes), rng))
            outcomes["read"] += 1
        except MalformedSoapError:
            outcomes["refused"] += 1
    assert outcomes["read"] > 0 and outcomes["refused"] > 0


@pytest.mark.django_db
def test_the_backend_endpoint_never_answers_500_to_damaged_notifications(client, corpus):
    rng = random.Random(11)
    token = base64.b64encode(b"domibus:backend-demo-password").decode()
    notification = soap.ws("receiveSuccess", ("messageID", "m-1@provider"))
    notification.tag = "{eu.domibus}receiveSuccess"
    envelopes = [soap.envelope(notification), *soap_seeds(corpus)[:5]]
    for _ in range(ROUNDS // 4):
        response = client.post(
            "/oots/backend/",
            mutate(rng.choice(envelopes), rng),
            content_type="application/soap+xml",
            headers={"authorization": f"Basic {token}"},
        )
        assert response.status_code in {200, 400, 413}
