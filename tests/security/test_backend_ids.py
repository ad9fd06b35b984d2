"""``/oots/backend/`` refuses values longer than the columns they go to, with a SOAP fault and before any
write (issue 16, point 6).

The review's finding: message ids longer than their 255-character column were accepted. On PostgreSQL
(CI, or ``DATABASE_URL``) the insert then failed half-way (HTTP 500); SQLite stores them whole. Either
way the notification must be refused first.
"""

from __future__ import annotations

import base64

import pytest
from lxml import etree

from exchanges.models import ExchangeLog, IncomingMessage
from oots_client.access_point import soap
from portal import demo_secrets

pytestmark = pytest.mark.django_db


def _push(client, operation: str, message_id: str, **extra: str):  # type: ignore[no-untyped-def]
    element = etree.Element(f"{{eu.domibus}}{operation}", nsmap={"ns": "eu.domibus"})
    etree.SubElement(element, "messageID").text = message_id
    for name, value in extra.items():
        etree.SubElement(element, name).text = value
    token = base64.b64encode(f"domibus:{demo_secrets.BACKEND_PASSWORD}".encode()).decode()
    return client.post(
        "/oots/backend/",
        soap.envelope(element),
        content_type=soap.SOAP_CONTENT_TYPE,
        headers={"authorization": f"Basic {token}"},
    )


@pytest.mark.parametrize(
    ("operation", "message_id", "extra"),
    [
        ("receiveSuccess", "m" * 247 + "@provider", {}),  # 256 characters
        ("sendSuccess", "m" * 5000, {}),
        ("messageStatusChange", "m-1@provider", {"messageStatus": "S" * 51}),  # ExchangeLog.outcome: 50
    ],
)
def test_values_longer_than_their_columns_are_refused_with_a_fault_before_any_write(
    client, operation, message_id, extra
):
    response = _push(client, operation, message_id, **extra)
    assert response.status_code == 400
    fault = soap.parse_envelope(response.content)
    assert b"BACKEND:0006" in etree.tostring(fault)
    assert not IncomingMessage.objects.exists() and not ExchangeLog.objects.exists()


def test_an_id_as_long_as_its_column_is_accepted(client):
    message_id = "m" * 246 + "@provider"  # 255 characters
    assert _push(client, "receiveSuccess", message_id).status_code == 200
    assert IncomingMessage.objects.get().ebms_message_id == message_id
