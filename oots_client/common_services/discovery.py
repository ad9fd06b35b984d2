"""Where a Member State's Evidence Broker and Data Service Directory are: DNS NAPTR discovery (TDD 3.4).

The Common Services are deployed in a hybrid model: a Member State's data is in the Commission's instance or
in that state's own instance, never both, and each state publishes which one as a NAPTR record under a name
built from the country, the service and the environment (default template
``config.DEFAULT_NAME_TEMPLATE``, e.g. ``fr.dsd.v1.cs.acc.oots.tech.ec.europa.eu``). The record is a U-NAPTR
one (RFC 4848): flag ``U`` and a regexp ``!.*!<base URL>!`` whose replacement is the service's base URL,
e.g. ``https://query.cs.acc.oots.tech.ec.europa.eu/dsd/``. The URL is read from the record, never derived
from the name (production answers ``https://query.cs.oots.tech.ec.europa.eu/…``, without a ``prod`` label).

A query about country X goes to X's instance, so the name is built from the query's ``country-code``.

What the sources do not pin down is a setting (``DiscoveryConfig``): the name template (its major version
label), the NAPTR service field (``""`` accepts any; no value is published that we could check), the name
servers. Records are processed per RFC 3403 §4.1 / RFC 4848 §2: lowest ``order`` first, then lowest
``preference``; terminal ``U`` records give the URL, empty-flag records name the next domain to ask (a
bounded number of hops); other flags are not U-NAPTR and are skipped.

A discovered URL is cached for the record's TTL (the smallest TTL met on the way) in the client's cache,
shared by every web node and worker of the portal. DNS answers are not authenticated here: what makes an
answer trustworthy is its signature (CS API 2.0), checked against the configured roots whatever address
served it.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

import dns.exception
import dns.name
import dns.nameserver
import dns.rdatatype
import dns.resolver
from dns.rdtypes.IN.NAPTR import NAPTR

from oots_client.common_services.cache import AnswerCache, NoCache
from oots_client.common_services.config import DiscoveryConfig
from oots_client.common_services.errors import CsUnavailableError, DiscoveryError

logger = logging.getLogger(__name__)

SERVICES: Final = ("eb", "dsd")
MAX_HOPS: Final = 5  # non-terminal records followed before giving up (a loop, or a misconfigured zone)
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_BACKREFERENCE = re.compile(r"\\[0-9]")


@dataclass(frozen=True, slots=True)
class _Found:
    url: str
    ttl: int


class CommonServicesDiscovery:
    """Resolves the base URL of a country's EB or DSD, caching it for the record's TTL."""

    def __init__(
        self,
        config: DiscoveryConfig,
        *,
        cache: AnswerCache | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.cache: AnswerCache = cache if cache is not None else NoCache()
        self.clock = clock
        self.resolver = _resolver(config)

    def name(self, service: str, country: str) -> str:
        """The domain name to ask for ``service`` (``eb``/``dsd``) of ``country``."""
        if service not in SERVICES:
            raise ValueError(f"unknown Common Service {service!r}")
        if not _COUNTRY.match(country):
            raise DiscoveryError(f"{country!r} is not a country code: no Common Services instance to look up")
        return self.config.name_template.format(
            country=country.lower(), service=service, environment=self.config.environment
        )

    def base_url(self, service: str, country: str) -> str:
        """The base URL (queries go to ``BASE/rest/search``); raises :class:`DiscoveryError` when the country
        publishes no usable record, :class:`CsUnavailableError` when DNS does not answer."""
        name = self.name(service, country)
        key = f"oots-cs:naptr:{name.lower()}"
        cached = self.cache.get(key)
        if isinstance(cached, dict) and float(cached.get("expires", 0)) > self.clock():
            return str(cached["url"])
        found = self._resolve(name, hops=0)
        ttl = min(found.ttl, self.config.max_cache_seconds)
        if ttl > 0:
            self.cache.set(key, {"url": found.url, "expires": self.clock() + ttl}, ttl)
        logger.info(
            "Common Services %s of %s is at %s (NAPTR %s, TTL %ss)", service, country, found.url, name, ttl
        )
        return found.url

    # --- RFC 3403 / RFC 4848 ------------------------------------------------------------------------------

    def _resolve(self, name: str, *, hops: int) -> _Found:
        answer = self._naptr(name)
        records = sorted((r for r in answer if isinstance(r, NAPTR)), key=lambda r: (r.order, r.preference))
        ttl = answer.rrset.ttl if answer.rrset is not None else 0
        problems: list[str] = []
        for record in records:
            flags = record.flags.decode("ascii", "replace").upper()
            service = record.service.decode("ascii", "replace")
            if self.config.naptr_service and service.lower() != self.config.naptr_service.lower():
                problems.append(f"service {service!r} is not {self.config.naptr_service!r}")
                continue
            if flags == "U":
                try:
                    return _Found(self._url_of(record), ttl)
                except DiscoveryError as exc:
                    problems.append(str(exc))
                    continue
            if flags == "" and not record.regexp and record.replacement != dns.name.root:
                if hops >= MAX_HOPS:
                    raise DiscoveryError(f"NAPTR {name}: more than {MAX_HOPS} non-terminal records in a row")
                found = self._resolve(record.replacement.to_text(omit_final_dot=True), hops=hops + 1)
                return _Found(found.url, min(ttl, found.ttl))
            problems.append(f"flags {flags!r} are not U-NAPTR's")
        detail = "; ".join(problems) or "no record"
        raise DiscoveryError(f"NAPTR {name} gives no Common Services URL ({detail})")

    def _naptr(self, name: str) -> dns.resolver.Answer:
        try:
            return self.resolver.resolve(name, dns.rdatatype.NAPTR, lifetime=self.config.timeout_seconds)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            raise DiscoveryError(
                f"no NAPTR record at {name}: this country publishes no Common Services instance there"
            ) from None
        except dns.exception.Timeout:
            raise CsUnavailableError(
                f"DNS did not answer for {name} in {self.config.timeout_seconds}s"
            ) from None
        except (dns.resolver.NoNameservers, dns.resolver.YXDOMAIN) as exc:
            raise CsUnavailableError(f"DNS failed for {name}: {exc}") from None
        except dns.exception.DNSException as exc:
            raise CsUnavailableError(f"DNS failed for {name}: {type(exc).__name__}") from None

    def _url_of(self, record: NAPTR) -> str:
        """The URL of a terminal record. RFC 4848 §2.2: the regexp replaces the whole input with a constant
        URI (``!.*!URI!``), and the replacement field is the root (RFC 3403 §4.1: regexp or replacement)."""
        regexp = str(record.regexp.decode("utf-8", "replace"))
        if not regexp or record.replacement != dns.name.root:
            raise DiscoveryError("a U record must carry a regexp and no replacement")
        delimiter = regexp[0]
        if delimiter.isalnum() or delimiter == "\\":
            raise DiscoveryError(f"regexp {regexp!r} has no usable delimiter")
        parts = regexp[1:].split(delimiter)
        if len(parts) != 3 or parts[2] not in ("", "i"):
            raise DiscoveryError(f"regexp {regexp!r} is not delim ERE delim URI delim")
        pattern, uri = parts[0], parts[1]
        if pattern not in (".*", "^.*$") or _BACKREFERENCE.search(uri):
            raise DiscoveryError(f"regexp {regexp!r} is not the whole-string replacement U-NAPTR allows")
        parsed = urlsplit(uri)
        schemes = ("https", "http") if self.config.allow_http else ("https",)
        if parsed.scheme not in schemes or not parsed.hostname or parsed.username or parsed.query:
            raise DiscoveryError(f"{uri!r} is not an {'/'.join(schemes)} base URL")
        return uri


def _resolver(config: DiscoveryConfig) -> dns.resolver.Resolver:
    if not config.nameservers:
        return dns.resolver.Resolver()
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [_nameserver(server) for server in config.nameservers]
    return resolver


def _nameserver(server: str) -> dns.nameserver.Nameserver:
    """``ip``, ``ip:port`` or ``[ipv6]:port``."""
    address, port = server, 53
    if server.startswith("["):
        address, _, rest = server[1:].partition("]")
        port = int(rest.removeprefix(":") or 53)
    elif server.count(":") == 1:
        address, _, port_text = server.partition(":")
        port = int(port_text)
    return dns.nameserver.Do53Nameserver(address, port)
