"""The countries that can deliver a requirement's evidence (``procedures.locate.countries_delivering``), asked
of the Common Services simulator over HTTP: several countries at once, each thread with a client of
its own, the answer cached; the Common Services out of reach give ``None`` (every country offered) and
nothing cached."""

from __future__ import annotations

import threading

import pytest
from django.core.cache import cache

from procedures.common_services import common_services_client
from procedures.locate import COUNTRIES, COUNTRY_CHECK_THREADS, countries_delivering
from procedures.models import Procedure, Requirement
from tests.journey_support import wire_to_live_server

BIRTH = "https://sr.oots.tech.ec.europa.eu/requirements/0e056d27-0de3-5279-9f9f-96b1dcdd717b"

pytestmark = pytest.mark.django_db(transaction=True)


class CountingFactory:
    """``common_services_client`` that remembers which threads asked for a client and how often."""

    def __init__(self) -> None:
        self.threads: list[int] = []
        self.lock = threading.Lock()

    def __call__(self):  # type: ignore[no-untyped-def]
        with self.lock:
            self.threads.append(threading.get_ident())
        return common_services_client(retries=1)


@pytest.fixture
def requirement(db) -> Requirement:  # type: ignore[no-untyped-def]
    cache.clear()
    return Requirement.objects.create(
        procedure=Procedure.objects.get(code="R1"), identifier=BIRTH, name="Proof of birth"
    )


def test_the_directory_is_asked_country_by_country_in_parallel_then_the_list_is_cached(
    settings, live_server, requirement
):
    wire_to_live_server(settings, live_server)
    factory = CountingFactory()
    first = countries_delivering(client_factory=factory, requirement=requirement, cache=cache, ttl=60)
    assert first is not None
    assert "FR" in first and "AT" in first
    assert "SE" not in first  # no authority there can send it (the browser test shows it is not offered)
    assert set(first) <= set(COUNTRIES)
    # One client per thread, never more threads than the bound, more than one thread at work.
    assert len(factory.threads) == len(set(factory.threads))
    assert 1 < len(factory.threads) <= COUNTRY_CHECK_THREADS

    again = CountingFactory()
    assert countries_delivering(client_factory=again, requirement=requirement, cache=cache, ttl=60) == first
    assert again.threads == []  # from the cache: no client made, nothing asked


def test_common_services_out_of_reach_offer_every_country_and_cache_nothing(
    settings, live_server, requirement
):
    settings.OOTS_CS_EB_URL = "http://127.0.0.1:9/eb"  # the discard port: connection refused
    settings.OOTS_CS_DSD_URL = "http://127.0.0.1:9/dsd"
    factory = CountingFactory()
    assert countries_delivering(client_factory=factory, requirement=requirement, cache=cache, ttl=60) is None
    assert factory.threads  # it did try
    # Reachable again: the next page asks afresh (the failure was not kept as "no country").
    wire_to_live_server(settings, live_server)
    again = CountingFactory()
    found = countries_delivering(client_factory=again, requirement=requirement, cache=cache, ttl=60)
    assert again.threads and found is not None and "FR" in found
