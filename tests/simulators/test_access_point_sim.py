"""The access-point simulator speaks the Domibus 5 WS plugin: real envelopes, faults, fault switch, log."""

from __future__ import annotations

import base64
import datetime as dt
import os
import re

import pytest
import requests
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from oots_client.access_point import (
    AccessPointRejected,
    AccessPointUnavailable,
    DomibusConfig,
    DomibusWsPlugin,
    soap,
)
from oots_client.access_point.ebms import PARTY_ID_TYPE as PARTY_TYPE
from oots_client.edm.examples import example_request
from simulators.access_point import services
from simulators.access_point.models import ApMessage, ApSubmission, Direction
from simulators.access_point.testing import request_message

WSPLUGIN = "/sim/ap/services/wsplugin"
_ENVELOPE_ROOT = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?<(\w+:)?Envelope\b")


def _auth(username: str = "portal", password: str = "portal-demo-password") -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


def _post(client, body: bytes, **headers):
    return client.post(WSPLUGIN, data=body, content_type=soap.SOAP_CONTENT_TYPE, **(headers or _auth()))


@pytest.fixture(autouse=True)
def _plugin_user(settings):
    settings.OOTS_AP_USERNAME = "portal"
    settings.OOTS_AP_PASSWORD = "portal-demo-password"
    settings.OOTS_AP_SIM_PUSH = False


def _captured_submits(data_dir):
    for path in sorted(data_dir.rglob("*.xml")):
        data = path.read_bytes()
        if _ENVELOPE_ROOT.match(data) and b"submitRequest" in data:
            yield path, data


@pytest.mark.django_db
def test_every_reference_submit_envelope_is_accepted(data_dir, client):
    accepted = 0
    for path, data in _captured_submits(data_dir):
        response = _post(client, data)
        assert response.status_code == 200, (path, response.content[:500])
        answer = soap.body_element(soap.parse_envelope(response.content))
        [message_id] = soap.read_message_ids(answer)
        expected = soap.read_user_message(soap.parse_envelope(data)).message_id
        assert expected is None or message_id == expected, path
        accepted += 1
    assert accepted == 5  # the five reference submissions: request, response and three errors
    assert ApMessage.objects.filter(direction=Direction.OUTBOUND).count() == 5


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        b"<not-xml",
        b'<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body/></soap:Envelope>',
        soap.envelope(soap.ws("retrieveMessageRequest", ("unexpected", "x"))),
        # a submitRequest without the ebMS Messaging header
        soap.envelope(soap.ws("submitRequest")),
    ],
    ids=["not-xml", "empty-body", "wrong-child", "no-messaging-header"],
)
def test_structurally_invalid_request_gets_a_soap_fault(client, body):
    response = _post(client, body)
    assert response.status_code == 500
    fault = soap.read_fault(soap.parse_envelope(response.content))
    assert fault is not None and fault[1] and fault[1].startswith("WS_PLUGIN:")


@pytest.mark.django_db
def test_unknown_operation_gets_a_soap_fault(client):
    response = _post(client, soap.envelope(soap.ws("listPushFailedMessagesRequest")))
    _reason, code, message = soap.read_fault(soap.parse_envelope(response.content))
    assert (response.status_code, code) == (500, "WS_PLUGIN:0001")
    assert "listPushFailedMessagesRequest" in message


@pytest.mark.django_db
def test_retrieving_an_unknown_message_gets_a_soap_fault(client):
    body = soap.envelope(soap.ws("retrieveMessageRequest", ("messageID", "nope@x")))
    _reason, code, message = soap.read_fault(soap.parse_envelope(_post(client, body).content))
    assert code == "WS_PLUGIN:0009" and "nope@x" in message


@pytest.mark.django_db
def test_status_of_an_unknown_message_is_not_found(client):
    body = soap.envelope(soap.ws("statusRequest", ("messageID", "nope@x")))
    answer = soap.body_element(soap.parse_envelope(_post(client, body).content))
    assert (etree_local(answer), answer.text) == ("getStatusResponse", "NOT_FOUND")


def etree_local(element) -> str:
    return element.tag.rsplit("}", 1)[-1]


@pytest.mark.django_db
@pytest.mark.parametrize("credentials", [None, ("portal", "wrong"), ("someone", "portal-demo-password")])
def test_plugin_refuses_a_caller_without_the_plugin_user(client, credentials):
    headers = _auth(*credentials) if credentials else {"HTTP_X_NONE": "1"}
    response = _post(client, soap.envelope(soap.ws("listPendingMessagesRequest")), **headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")


@pytest.mark.django_db
def test_duplicate_message_id_is_refused_as_domibus_does_logged_and_delivered_once(
    client, django_capture_on_commit_callbacks
):
    message = request_message(example_request())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = _post(client, soap.submit_request(message))
        again = _post(client, soap.submit_request(message))
    assert soap.read_message_ids(soap.body_element(soap.parse_envelope(first.content))) == (
        message.header.message_id,
    )
    # Domibus 5: a SubmitMessageFault with the DuplicateMessageException's ebMS code and text.
    assert again.status_code == 500
    reason, code, text = soap.read_fault(soap.parse_envelope(again.content))
    assert (reason, code) == ("Message submission failed", "EBMS:0004")
    assert text == (
        f"Message with id [{message.header.message_id} and role SENDING] already exists. "
        "Message identifiers must be unique"
    )
    assert len(callbacks) == 1  # one delivery enqueued
    log = list(ApSubmission.objects.values_list("duplicate", flat=True))
    assert log == [False, True]


@pytest.mark.django_db
def test_a_party_that_cannot_be_reached_ends_in_send_failure_with_its_error(client):
    services.control_update(unreachable_parties=["AP_XX_DOWN"])
    message = request_message(example_request(), to_party="AP_XX_DOWN")
    services.message_submit(envelope=soap.submit_request(message), message=message)
    stored = ApMessage.objects.get(message_id=message.header.message_id)
    services.submitted_deliver(message_pk=stored.pk)
    status = soap.body_element(
        soap.parse_envelope(
            _post(client, soap.envelope(soap.ws("statusRequest", ("messageID", stored.message_id)))).content
        )
    )
    errors = soap.read_errors(
        soap.body_element(
            soap.parse_envelope(
                _post(
                    client, soap.envelope(soap.ws("getErrorsRequest", ("messageID", stored.message_id)))
                ).content
            )
        )
    )
    assert status.text == "SEND_FAILURE"
    assert [(e.code, e.message_id) for e in errors] == [("EBMS_0005", stored.message_id)]
    assert not ApMessage.objects.filter(direction=Direction.INBOUND).exists()


# --- the fault switch and the control endpoint ------------------------------------------------------------


def _adapter(live_server) -> DomibusWsPlugin:
    return DomibusWsPlugin(
        DomibusConfig(
            url=f"{live_server.url}{WSPLUGIN}",
            username="portal",
            password="portal-demo-password",
            read_timeout=10,
        )
    )


def _control(live_server, **changes) -> dict:
    response = requests.post(
        f"{live_server.url}/sim/ap/control", json=changes, auth=("portal", "portal-demo-password"), timeout=10
    )
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.django_db(transaction=True)
def test_unavailable_switch_makes_the_adapter_raise_access_point_unavailable(live_server):
    adapter = _adapter(live_server)
    _control(live_server, available=False)
    with pytest.raises(AccessPointUnavailable):
        adapter.list_pending()
    raw = requests.post(f"{live_server.url}{WSPLUGIN}", data=b"", timeout=10)
    assert (raw.status_code, raw.headers["Content-Type"]) == (503, "text/plain")
    _control(live_server, available=True)
    assert adapter.list_pending() == []


@pytest.mark.django_db(transaction=True)
def test_failure_rate_of_100_percent_answers_every_call_with_503(live_server):
    _control(live_server, failure_rate=100)
    with pytest.raises(AccessPointUnavailable):
        _adapter(live_server).list_pending()


@pytest.mark.django_db(transaction=True)
def test_slow_switch_delays_every_answer(live_server):
    import time

    _control(live_server, delay_ms=400)
    started = time.monotonic()
    assert _adapter(live_server).list_pending() == []
    assert time.monotonic() - started >= 0.4


@pytest.mark.django_db(transaction=True)
def test_adapter_sees_a_rejection_for_wrong_credentials(live_server):
    config = DomibusConfig(url=f"{live_server.url}{WSPLUGIN}", username="portal", password="wrong")
    with pytest.raises(AccessPointRejected):
        DomibusWsPlugin(config).list_pending()


@pytest.mark.django_db
def test_control_endpoint_needs_the_plugin_user_when_debug_is_off(client):
    assert client.get("/sim/ap/control").status_code == 401
    assert client.get("/sim/ap/control/messages").status_code == 401
    answer = client.get("/sim/ap/control", **_auth()).json()
    assert answer["available"] is True and answer["push_effective"] is False


@pytest.mark.django_db
def test_control_endpoint_refuses_unknown_fields_and_bad_values(client):
    for body in ({"colour": "red"}, {"failure_rate": 101}, {"available": "no"}, {"delay_ms": True}):
        response = client.post("/sim/ap/control", data=body, content_type="application/json", **_auth())
        assert response.status_code == 400, body


@pytest.mark.django_db
def test_control_delete_puts_the_switch_back_to_normal(client):
    services.control_update(available=False, delay_ms=5, push=True)
    answer = client.delete("/sim/ap/control", **_auth()).json()
    assert (answer["available"], answer["delay_ms"], answer["push"]) == (True, 0, None)


@pytest.mark.django_db
def test_message_log_shows_submissions_and_duplicates(client):
    message = request_message(example_request())
    for _ in range(2):
        services.message_submit(envelope=soap.submit_request(message), message=message)
    log = client.get("/sim/ap/control/messages", {"direction": "outbound"}, **_auth()).json()["messages"]
    assert [(m["message_id"], m["submissions"], m["duplicate_submissions"]) for m in log] == [
        (message.header.message_id, 2, 1)
    ]


@pytest.mark.django_db
def test_a_large_answer_is_kept_as_a_file_served_intact_and_removed_with_its_message(client, settings):
    # As Domibus with file-system payload storage: megabytes of base64 never go through the database.
    settings.OOTS_EP_SIM_EVIDENCE_BYTES = 300_000
    message = request_message(example_request())
    services.message_submit(envelope=soap.submit_request(message), message=message)
    services.submitted_deliver(message_pk=ApMessage.objects.get(message_id=message.header.message_id).pk)
    answer = ApMessage.objects.defer(None).get(direction=Direction.INBOUND)
    assert answer.envelope_file and bytes(answer.envelope) == b""
    retrieved = _post(
        client, soap.envelope(soap.ws("retrieveMessageRequest", ("messageID", answer.message_id)))
    )
    read = soap.read_message(soap.parse_envelope(retrieved.content))
    assert max(len(p.data) for p in read.payloads) >= 300_000  # the PDF, whole
    assert retrieved.content == answer.envelope_bytes()
    path = answer.envelope_file.path
    answer.delete()
    assert not os.path.exists(path)


@pytest.mark.django_db
def test_a_small_answer_stays_in_the_database_row():
    message = request_message(example_request())
    services.message_submit(envelope=soap.submit_request(message), message=message)
    services.submitted_deliver(message_pk=ApMessage.objects.get(message_id=message.header.message_id).pk)
    answer = ApMessage.objects.defer(None).get(direction=Direction.INBOUND)
    assert not answer.envelope_file and soap.parse_envelope(bytes(answer.envelope)) is not None


# --- the inbox a forger writes to --------------------------------------------------------------------


def _forged():  # type: ignore[no-untyped-def]
    """A message as another party would send it to the portal (here: a request, any message will do)."""
    return request_message(example_request(), from_party="AP_XX_FORGER", to_party="AP_BE_01")


@pytest.mark.django_db
def test_a_message_put_into_the_inbox_waits_for_the_portal_as_any_answer(client, settings):
    settings.OOTS_AP_SIM_PUSH = True
    message = _forged()
    response = client.post(
        "/sim/ap/control/inbox",
        data=soap.submit_request(message),
        content_type=soap.SOAP_CONTENT_TYPE,
        **_auth(),
    )
    assert response.status_code == 201
    assert response.json() == {"message_id": message.header.message_id}
    stored = ApMessage.objects.get(message_id=message.header.message_id)
    assert (stored.direction, stored.from_party) == (Direction.INBOUND, f"{PARTY_TYPE}:AP_XX_FORGER")
    assert services.pending_ids() == [message.header.message_id]
    assert [n.operation for n in stored.notifications.all()] == ["receiveSuccess"]
    # The portal downloads exactly what was put in.
    served = soap.read_message(soap.parse_envelope(services.inbound_get(stored.message_id).envelope_bytes()))
    assert served.header.from_party == message.header.from_party
    assert [p.data for p in served.payloads] == [p.data for p in message.payloads]


@pytest.mark.django_db
def test_the_inbox_refuses_a_known_message_id_garbage_and_strangers(client, settings):
    settings.DEBUG = False
    body = soap.submit_request(_forged())
    inbox = "/sim/ap/control/inbox"
    assert client.post(inbox, data=body, content_type=soap.SOAP_CONTENT_TYPE).status_code == 401
    assert client.post(inbox, data=body, content_type=soap.SOAP_CONTENT_TYPE, **_auth()).status_code == 201
    assert client.post(inbox, data=body, content_type=soap.SOAP_CONTENT_TYPE, **_auth()).status_code == 409
    garbage = client.post(inbox, data=b"<not-soap/>", content_type=soap.SOAP_CONTENT_TYPE, **_auth())
    assert garbage.status_code == 400


@pytest.mark.django_db
def test_the_daily_sweep_removes_old_envelope_files_that_no_message_references():
    message = ApMessage(message_id="big@x", direction=Direction.INBOUND, status="RECEIVED", action="a")
    message.envelope_set(b"<x>" + b"0" * (70 * 1024) + b"</x>")
    message.save()
    orphan = default_storage.save("sim-ap/orphan.xml", ContentFile(b"<x/>"))
    young = default_storage.save("sim-ap/young.xml", ContentFile(b"<x/>"))
    old = (timezone.now() - dt.timedelta(hours=2)).timestamp()
    for name in (orphan, message.envelope_file.name):
        os.utime(default_storage.path(name), (old, old))
    assert services.envelope_files_orphaned_remove() == 1
    assert not default_storage.exists(orphan)
    assert default_storage.exists(message.envelope_file.name) and default_storage.exists(young)
