"""Discovery of the Evidence Broker and the Data Service Directory by DNS NAPTR (TDD chapter 3.4), against a
real DNS server on loopback (dnsmasq, ``tests/dns_server.py``): the record's URL, RFC 3403 ordering, U-NAPTR
rules, the TTL cache, DNS failures, the client querying the discovered simulator, and the fixed URLs that
override discovery."""

from __future__ import annotations

import subprocess
import sys

import pytest

from oots_client.common_services import (
    CommonServicesClient,
    CommonServicesConfig,
    CsUnavailableError,
    DiscoveryConfig,
    DiscoveryError,
    MemoryCache,
    RetryPolicy,
    SignatureMode,
)
from oots_client.common_services.discovery import CommonServicesDiscovery
from simulators.common_services.signing import certificate_pem
from tests.dns_server import ZONE, DnsServer, Naptr, dnsmasq_path

TEMPLATE = "{country}.{service}.v1.cs.{environment}." + ZONE
FR_DSD = f"fr.dsd.v1.cs.acc.{ZONE}"
URL = "https://query.cs.acc.example/dsd/"


@pytest.fixture
def dns_server(tmp_path):
    server = DnsServer(dnsmasq_path(), tmp_path)
    yield server
    server.stop()


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def discovery(server: DnsServer, *, cache=None, clock=None, **options) -> CommonServicesDiscovery:
    options = {"timeout_seconds": 2, **options}
    config = DiscoveryConfig(
        environment="acc", name_template=TEMPLATE, nameservers=(server.address,), **options
    )
    return CommonServicesDiscovery(config, cache=cache or MemoryCache(), clock=clock or Clock())


def u_record(name: str, url: str, order: int = 100, preference: int = 10, service: str = "") -> Naptr:
    return Naptr(name, order, preference, "U", service, f"!.*!{url}!")


def test_the_dsd_url_is_read_from_the_countrys_naptr_record(dns_server):
    dns_server.start([u_record(FR_DSD, URL), u_record(f"fr.eb.v1.cs.acc.{ZONE}", "https://eb.example/eb/")])
    finder = discovery(dns_server)
    assert finder.base_url("dsd", "FR") == URL
    assert finder.base_url("eb", "fr") == "https://eb.example/eb/"


def test_the_record_of_lowest_order_then_lowest_preference_wins(dns_server):
    dns_server.start(
        [
            u_record(FR_DSD, "https://later.example/", order=200, preference=1),
            u_record(FR_DSD, "https://chosen.example/", order=100, preference=20),
            u_record(FR_DSD, "https://passed-over.example/", order=100, preference=30),
        ]
    )
    assert discovery(dns_server).base_url("dsd", "FR") == "https://chosen.example/"


def test_with_a_service_configured_only_its_records_count(dns_server):
    dns_server.start(
        [
            u_record(FR_DSD, "https://other.example/", order=10, service="Meta:Other"),
            u_record(FR_DSD, URL, order=20, service="Meta:OOTS-CS"),
        ]
    )
    assert discovery(dns_server, naptr_service="meta:oots-cs").base_url("dsd", "FR") == URL
    assert discovery(dns_server).base_url("dsd", "FR") == "https://other.example/"


def test_a_non_terminal_record_is_followed_to_the_name_it_gives(dns_server):
    dns_server.start(
        [
            Naptr(FR_DSD, 100, 10, "", "", "", f"shared.{ZONE}"),
            u_record(f"shared.{ZONE}", "https://commission.example/dsd/"),
        ]
    )
    assert discovery(dns_server).base_url("dsd", "FR") == "https://commission.example/dsd/"


def test_a_country_that_publishes_no_record_is_a_discovery_error(dns_server):
    dns_server.start([u_record(FR_DSD, URL)])
    with pytest.raises(DiscoveryError, match=f"no NAPTR record at de.dsd.v1.cs.acc.{ZONE}"):
        discovery(dns_server).base_url("dsd", "DE")


@pytest.mark.parametrize(
    "regexp",
    [
        "!.*!http://query.example/dsd/!",  # not https
        "!.*!ftp://query.example/dsd/!",
        "!^(.*)$!https://query.example/\\1!",  # a back-reference: not a constant URI
        "!fr!https://query.example/dsd/!",  # matches part of the input only
        "!.*!https://user@query.example/dsd/!",
    ],
)
def test_a_record_whose_regexp_is_not_a_whole_replacement_by_an_https_url_is_refused(dns_server, regexp):
    dns_server.start([Naptr(FR_DSD, 100, 10, "U", "", regexp)])
    with pytest.raises(DiscoveryError, match="gives no Common Services URL"):
        discovery(dns_server).base_url("dsd", "FR")


def test_a_record_with_flags_u_naptr_does_not_know_is_skipped(dns_server):
    dns_server.start([Naptr(FR_DSD, 10, 10, "S", "", "", f"_x._tcp.{ZONE}"), u_record(FR_DSD, URL, order=20)])
    assert discovery(dns_server).base_url("dsd", "FR") == URL


def test_the_url_is_kept_for_the_records_ttl_then_asked_again(dns_server):
    dns_server.start([u_record(FR_DSD, URL)], ttl=60)
    clock, cache = Clock(), MemoryCache()
    finder = discovery(dns_server, cache=cache, clock=clock)
    assert finder.base_url("dsd", "FR") == URL
    dns_server.restart([u_record(FR_DSD, "https://moved.example/dsd/")], ttl=60)

    clock.now += 59
    assert finder.base_url("dsd", "FR") == URL
    assert dns_server.queries(FR_DSD) == 0  # the restarted server was not asked: the answer was cached

    clock.now += 2
    assert finder.base_url("dsd", "FR") == "https://moved.example/dsd/"
    assert dns_server.queries(FR_DSD) == 1


def test_a_record_with_ttl_zero_is_not_cached(dns_server):
    dns_server.start([u_record(FR_DSD, URL)], ttl=0)
    finder = discovery(dns_server)
    finder.base_url("dsd", "FR")
    finder.base_url("dsd", "FR")
    assert dns_server.queries(FR_DSD) == 2


def test_a_dns_server_that_does_not_answer_is_a_transient_failure(dns_server):
    # Nothing listens on the port of a stopped server.
    dns_server.start([u_record(FR_DSD, URL)])
    dns_server.stop()
    with pytest.raises(CsUnavailableError, match=FR_DSD):
        discovery(dns_server, timeout_seconds=0.3).base_url("dsd", "FR")


def test_a_query_goes_to_the_instance_named_by_its_countrys_record(dns_server, live_server):
    # The simulator plays the Commission's instance for DE, found by DNS as the real one is.
    dns_server.start(
        [
            u_record(f"de.eb.v1.cs.acc.{ZONE}", f"{live_server.url}/sim/cs/eb/"),
            u_record(f"de.dsd.v1.cs.acc.{ZONE}", f"{live_server.url}/sim/cs/dsd"),
        ]
    )
    config = CommonServicesConfig(
        discovery=DiscoveryConfig(
            environment="acc", name_template=TEMPLATE, nameservers=(dns_server.address,), allow_http=True
        ),
        signature_mode=SignatureMode.REQUIRED,
        trusted_certificates=(certificate_pem(),),
        retry=RetryPolicy(attempts=1),
    )
    client = CommonServicesClient(config, cache=MemoryCache())
    requirements = client.requirements(procedure="T2", country="DE")
    assert requirements
    assert client.evidence_types(requirement=requirements[0].identifier, country="DE").alternatives
    assert dns_server.queries(f"de.eb.v1.cs.acc.{ZONE}") == 1  # the second EB query used the cached URL


def test_without_allow_http_a_discovered_http_url_is_refused(dns_server, live_server):
    dns_server.start([u_record(f"de.eb.v1.cs.acc.{ZONE}", f"{live_server.url}/sim/cs/eb/")])
    config = CommonServicesConfig(
        discovery=DiscoveryConfig(
            environment="acc", name_template=TEMPLATE, nameservers=(dns_server.address,)
        ),
        signature_mode=SignatureMode.OFF,
    )
    with pytest.raises(DiscoveryError, match="is not an https base URL"):
        CommonServicesClient(config).requirements(procedure="T2", country="DE")


def test_a_fixed_url_overrides_discovery(dns_server, live_server):
    dns_server.start([u_record(f"de.eb.v1.cs.acc.{ZONE}", "https://elsewhere.example/eb/")])
    config = CommonServicesConfig(
        eb_url=f"{live_server.url}/sim/cs/eb",
        discovery=DiscoveryConfig(
            environment="acc", name_template=TEMPLATE, nameservers=(dns_server.address,)
        ),
        signature_mode=SignatureMode.REQUIRED,
        trusted_certificates=(certificate_pem(),),
    )
    assert CommonServicesClient(config).requirements(procedure="T2", country="DE")
    assert dns_server.queries(f"de.eb.v1.cs.acc.{ZONE}") == 0


def test_the_portal_builds_the_discovery_from_its_settings(settings):
    from procedures.common_services import common_services_config

    settings.OOTS_CS_EB_URL = ""
    settings.OOTS_CS_DSD_URL = ""
    settings.OOTS_CS_DISCOVERY_ENVIRONMENT = "prod"
    settings.OOTS_CS_DISCOVERY_SERVICE = "Meta:OOTS-CS"
    settings.OOTS_CS_DNS_SERVERS = ["127.0.0.1:5353"]
    config = common_services_config()
    assert config.discovery == DiscoveryConfig(
        environment="prod",
        name_template=settings.OOTS_CS_DISCOVERY_NAME,
        naptr_service="Meta:OOTS-CS",
        nameservers=("127.0.0.1:5353",),
        timeout_seconds=float(settings.OOTS_CS_TIMEOUT),
        allow_http=False,
    )
    assert CommonServicesDiscovery(config.discovery).name("dsd", "FR") == (
        "fr.dsd.v1.cs.prod.oots.tech.ec.europa.eu"
    )


def test_the_portal_leaves_discovery_off_without_an_environment(settings):
    from procedures.common_services import common_services_config

    settings.OOTS_CS_DISCOVERY_ENVIRONMENT = ""
    assert common_services_config().discovery is None


def test_the_health_check_reaches_the_common_services_found_by_dns(dns_server, live_server, settings):
    from portal.health import _common_services

    country = settings.OOTS_PORTAL_COUNTRY.lower()
    dns_server.start([u_record(f"{country}.eb.v1.cs.acc.{ZONE}", f"{live_server.url}/sim/cs/eb")])
    settings.OOTS_CS_EB_URL = ""
    settings.OOTS_CS_DSD_URL = ""
    settings.OOTS_CS_DISCOVERY_ENVIRONMENT = "acc"
    settings.OOTS_CS_DISCOVERY_NAME = TEMPLATE
    settings.OOTS_CS_DNS_SERVERS = [dns_server.address]
    settings.OOTS_CS_DISCOVERY_ALLOW_HTTP = True
    settings.OOTS_HEALTH_BROKER_TIMEOUT = 20  # the simulator's first answer on a busy machine
    assert _common_services() == "ok"
    assert dns_server.queries(f"{country}.eb.v1.cs.acc.{ZONE}") == 1


def test_the_command_line_discovers_the_service_of_the_querys_country(dns_server):
    dns_server.start([u_record(f"de.eb.v1.cs.acc.{ZONE}", "http://eb.example/eb/")])
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "oots_client.common_services",
            *("--discover", "acc", "--discovery-name", TEMPLATE, "--dns", dns_server.address),
            *("requirements", "--procedure", "T2", "--country", "DE"),
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    # The record was found and read: its http URL is refused as a discovered URL must be.
    assert done.returncode == 2  # not a Common Services answer: an error of the set-up
    assert "'http://eb.example/eb/' is not an https base URL" in done.stderr
    assert dns_server.queries(f"de.eb.v1.cs.acc.{ZONE}") == 1
