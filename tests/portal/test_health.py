import pytest

from portal.celery import app as celery_app

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_remote_results(settings):
    settings.OOTS_HEALTH_REMOTE_CACHE_SECONDS = 0


def _unreachable() -> str:
    # A loopback port nothing listens on: a real connection attempt that fails at once.
    return "http://127.0.0.1:9"


def test_healthz_reports_every_dependency(client, live_server, settings):
    settings.OOTS_AP_URL = f"{live_server.url}/sim/ap/services/wsplugin"
    settings.OOTS_CS_EB_URL = f"{live_server.url}/sim/cs/eb"
    settings.OOTS_CS_DSD_URL = f"{live_server.url}/sim/cs/dsd"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "ok", "access_point": "ok", "common_services": "ok"},
    }


def test_healthz_answers_503_when_the_broker_is_down(client, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:9/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("error")


def test_a_remote_counterparty_down_is_degraded_not_fatal(client, settings):
    settings.OOTS_AP_URL = f"{_unreachable()}/wsplugin"
    settings.OOTS_CS_EB_URL = f"{_unreachable()}/eb"
    settings.OOTS_CS_DSD_URL = f"{_unreachable()}/dsd"
    settings.OOTS_CS_RETRIES = 1
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["access_point"].startswith("error")
    assert body["checks"]["common_services"].startswith("error")
