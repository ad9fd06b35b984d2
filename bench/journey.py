"""Load benchmark of the citizen's journey (issue 8 §1): prints its figures; not a timed test.

Run: ``.venv/bin/python bench/journey.py`` beside a PostgreSQL (``DATABASE_URL`` names the server, default
``postgres://postgres@127.0.0.1:5432/postgres``). Redis: a throw-away ``redis-server`` the bench starts, or
``BENCH_REDIS_URL``, an empty database it uses alone (never flushed). Loopback only; it stops
by itself (the phases last ``--floor-seconds``, ``--capacity-seconds`` and ``--seconds``; a hard stop at
``--max-seconds``).

Set-up (``bench/stack.py``): a database ``oots_bench_<pid>`` (created, migrated, ``load_demo``, dropped at
the end), gunicorn (gthread) serving the portal (``DEBUG`` off) with the settings overlay
``bench/settings.py`` (adds the floor view), a second gunicorn serving the simulators (``OOTS_SIMULATORS=1``;
``--simulator-workers`` processes, 0 to serve them from the portal's own), two Celery workers on Redis.
The simulators stand for remote parties: served apart, a portal page that calls one (the Data Service
Directory's questions) never waits for a thread of its own server.

1. The floor: ``--users`` clients request a bare Django view with one database query (``bench/urls.py``)
   in a loop for ``--floor-seconds``, without pause.
2. Capacity: ``--users`` simulated citizens each play complete journeys in a loop for
   ``--capacity-seconds``, without pause (each sends its next request as soon as the previous page
   arrived): the very HTTP steps of ``manage.py oots_journey`` (eIDAS login through the test IdP, apply,
   locate the evidence, explicit request, wait on ``status.json``, submit, receipt PDF), each citizen with
   its own session. A closed loop at saturation: its pages/s are the journey's throughput, compared with
   the floor's.
3. Latency: the same ``--users`` citizens for ``--seconds``, now thinking before each page they ask for,
   as people do: a pause drawn uniformly between 0.5 and 1.5 times ``--think-seconds`` (2 s: 1 to 3 s, a
   quick reader; a person filling in a form takes longer, so the load is heavier than a real one), except
   before what a browser does by itself (the SAML auto-post forms, redirects, ``status.json`` polls every
   ``--poll-seconds``). Citizens start spread over the first pause. ``--think-seconds 0`` skips this phase
   (the latency is then the capacity phase's).

A journey still running at the end of a phase is cut off (counted apart, not an error). Every HTTP request
is timed from sending it to the last byte of its body (the think time is not in it), and grouped by page
(method and path with the ids replaced). Prints, per phase, journeys per second, pages per second, p50 /
p95 / p99 per page and per journey step, errors; the floor's; and a line per target: p95 of every portal
page ≤ 150 ms at ``--users`` citizens (the latency phase), zero errors (every phase), floor pages/s ÷
capacity pages/s ≤ 3. The p95 the capacity phase reaches is printed too, beside it.

The load comes from ``--drivers`` processes (threads inside), on the same two cores as the server: what
the driver spends (HTTP, lxml) is taken from the server and counted in the latencies.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import re
import signal
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from requests.adapters import HTTPAdapter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.stack import Stack  # noqa: E402

P95_TARGET_MS = 150.0
FLOOR_RATIO_TARGET = 3.0
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def page_of(method: str, url: str) -> str:
    """``GET /applications/<ref>/evidence/<n>/``: the page an HTTP request is for, ids replaced."""
    path = requests.utils.urlparse(url).path
    path = _UUID.sub("<ref>", path)
    path = re.sub(r"/\d+/", "/<n>/", path)
    path = re.sub(r"^/procedures/[^/]+/", "/procedures/<code>/", path)
    path = re.sub(r"^/sim/eidas/(sso|authenticate)/[^/]+/", r"/sim/eidas/\1/<id>/", path)
    return f"{method} {path}"


@dataclass
class Sample:
    page: str
    ms: float
    status: int  # 0: no answer (connection error, timeout)
    ended: float  # time.time()


@dataclass
class Results:
    samples: list[Sample] = field(default_factory=list)
    steps: list[tuple[str, float, bool]] = field(default_factory=list)
    journeys: int = 0
    cut_off: int = 0
    errors: list[str] = field(default_factory=list)

    def merge(self, other: Results) -> None:
        self.samples += other.samples
        self.steps += other.steps
        self.journeys += other.journeys
        self.cut_off += other.cut_off
        self.errors += other.errors


class _TimedAdapter(HTTPAdapter):
    """Times every HTTP request (each hop of a redirect apart) up to the last byte of its body."""

    def __init__(self, results: Results, lock: threading.Lock) -> None:
        super().__init__(pool_connections=2, pool_maxsize=2)
        self.results = results
        self.lock = lock

    def send(self, request: Any, *args: Any, **kwargs: Any) -> requests.Response:
        page = page_of(request.method or "GET", request.url or "")
        started = time.perf_counter()
        status = 0
        try:
            response = super().send(request, *args, **kwargs)
            _ = response.content  # the whole body, as a browser waits for it
            status = response.status_code
            return response
        finally:
            sample = Sample(page, (time.perf_counter() - started) * 1000, status, time.time())
            with self.lock:
                self.results.samples.append(sample)


# What a browser sends by itself, without the person: the SAML auto-post forms and the status polls.
_NOT_A_PERSON = re.compile(r"^(POST /sim/eidas/sso/|POST /accounts/saml/eidas/acs/$|GET .*/status\.json$)")


class _ThinkingSession(requests.Session):
    """A citizen's browser: before each page the person asks for, a think time drawn uniformly from
    ``think`` (seconds; none when it is (0, 0)). Redirects are followed inside ``request``: no pause."""

    def __init__(self, think: tuple[float, float]) -> None:
        super().__init__()
        self.think = think

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        if self.think[1] > 0 and not _NOT_A_PERSON.match(page_of(str(method), str(url))):
            time.sleep(random.uniform(*self.think))
        return super().request(method, url, *args, **kwargs)


def _session(
    results: Results, lock: threading.Lock, think: tuple[float, float] = (0.0, 0.0)
) -> requests.Session:
    session = _ThinkingSession(think)
    adapter = _TimedAdapter(results, lock)
    session.mount("http://", adapter)
    return session


def think_range(think_seconds: float) -> tuple[float, float]:
    return (0.5 * think_seconds, 1.5 * think_seconds)


def _citizen(
    config: dict[str, Any], persona: str, start: float, end: float, results: Results, lock: threading.Lock
) -> None:
    """One simulated citizen: complete journeys one after the other until ``end``; stops at its first
    failed journey (counted as an error)."""
    from simulators.runners.journey import Run, StepFailed

    think = think_range(config["think_seconds"])
    # With a think time, the citizens arrive spread over the first pause rather than all at once.
    time.sleep(max(0.0, start - time.time()) + random.uniform(0.0, think[1]))
    played = 0
    session = _session(results, lock, think)
    while time.time() < end and played < config.get("max_journeys", sys.maxsize):
        played += 1
        if not config["login_once"]:
            session.close()
            session = _session(results, lock, think)
        run = Run(
            base_url=config["base_url"],
            procedure=config["procedure"],
            country=config["country"],
            scenario=config["scenario"],
            timeout=config["timeout"],
            session=session,
            poll_seconds=config["poll_seconds"],
            persona=persona,
        )
        completed = failed = False
        steps = run.steps()
        if config["login_once"] and played > 1:
            steps = [(name, step) for name, step in steps if name != "1 login"]  # still logged in
        for name, step in steps:
            if time.time() >= end:
                break
            began = time.perf_counter()
            try:
                step()
            except (StepFailed, requests.RequestException) as exc:
                with lock:
                    results.steps.append((name.strip(), (time.perf_counter() - began) * 1000, False))
                    results.errors.append(f"{name.strip()}: {exc}")
                failed = True
                break
            with lock:
                results.steps.append((name.strip(), (time.perf_counter() - began) * 1000, True))
        else:
            completed = True
        with lock:
            if completed:
                results.journeys += 1
            elif not failed:
                results.cut_off += 1
        if failed:
            break  # as a person would: stop (its draft would send the next journey elsewhere)
    session.close()


def _floor_client(
    config: dict[str, Any], persona: str, start: float, end: float, results: Results, lock: threading.Lock
) -> None:
    base_url = config["base_url"]
    session = _session(results, lock)
    time.sleep(max(0.0, start - time.time()))
    while time.time() < end:
        try:
            response = session.get(f"{base_url}/bench/floor/", timeout=30)
        except requests.RequestException as exc:
            with lock:
                results.errors.append(f"floor: {exc}")
            continue
        if response.status_code != 200:
            with lock:
                results.errors.append(f"floor: HTTP {response.status_code}")


def drive(kind: str, citizens: range, config: dict[str, Any], start: float, end: float) -> Results:
    """One driver process: a thread of ``kind`` (``journey`` or ``floor``) per citizen number."""
    results = Results()
    lock = threading.Lock()
    threads = [
        threading.Thread(
            target=_citizen if kind == "journey" else _floor_client,
            args=(config, f"bench-{config.get('first_persona', 0) + n}", start, end, results, lock),
            daemon=True,
        )
        for n in citizens
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(1.0, end - time.time()) + config["timeout"] + 60)
    return results


def run_phase(
    kind: str, users: int, drivers: int, config: dict[str, Any], seconds: float
) -> tuple[Results, float]:
    """Spread ``users`` over ``drivers`` processes; all start at the same instant. (results, seconds)."""
    context = multiprocessing.get_context("spawn")
    shares = [range(n, users, drivers) for n in range(drivers)]
    start = time.time() + 3.0  # the driver processes are up by then
    end = start + seconds
    with context.Pool(drivers) as pool:
        parts = pool.starmap(drive, [(kind, share, config, start, end) for share in shares if share])
    results = Results()
    for part in parts:
        results.merge(part)
    finished = max((s.ended for s in results.samples), default=end)
    return results, max(finished, end) - start


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _table(rows: dict[str, list[float]], errors: dict[str, int], title: str) -> float:
    """Print count, p50, p95, p99 per row; returns the worst p95."""
    print(f"  {title:<52} {'n':>6} {'p50':>6} {'p95':>6} {'p99':>6} {'err':>4}")
    worst = 0.0
    for name, values in sorted(rows.items(), key=lambda item: -_percentile(item[1], 0.95)):
        p95 = _percentile(values, 0.95)
        worst = max(worst, p95)
        flag = "" if p95 <= P95_TARGET_MS else "  > 150 ms"
        print(
            f"  {name:<52} {len(values):>6} {_percentile(values, 0.5):>6.0f} {p95:>6.0f} "
            f"{_percentile(values, 0.99):>6.0f} {errors.get(name, 0):>4}{flag}"
        )
    return worst


def _pages(results: Results) -> tuple[dict[str, list[float]], dict[str, int]]:
    pages: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    for sample in results.samples:
        pages[sample.page].append(sample.ms)
        if sample.status == 0 or sample.status >= 400:
            errors[sample.page] += 1
    return pages, errors


@dataclass
class PhaseFigures:
    pages_per_second: float
    worst_portal_p95: float
    errors: int


def phase_report(title: str, journey: Results, seconds: float) -> PhaseFigures:
    """Print one journey phase; its pages/s, worst portal-page p95 and errors."""
    pages, page_errors = _pages(journey)
    all_ms = [s.ms for s in journey.samples]
    pps = len(journey.samples) / seconds
    print(f"\n== {title}")
    print(
        f"Journey: {journey.journeys} complete journeys in {seconds:.1f} s = "
        f"{journey.journeys / seconds:.2f} journeys/s; {len(journey.samples)} pages = "
        f"{pps:.1f} pages/s; all pages p50 {_percentile(all_ms, 0.5):.0f} ms, p95 "
        f"{_percentile(all_ms, 0.95):.0f} ms, p99 {_percentile(all_ms, 0.99):.0f} ms"
    )
    print(f"  errors {len(journey.errors)}, cut off at the end {journey.cut_off}")
    for error in sorted(set(journey.errors))[:10]:
        print(f"    {journey.errors.count(error)} x {error}")
    print("Per page (ms, from sending the request to the last byte):")
    portal = {k: v for k, v in pages.items() if " /sim/" not in k}
    simulated = {k: v for k, v in pages.items() if " /sim/" in k}
    worst = _table(portal, page_errors, "portal page")
    _table(simulated, page_errors, "simulator page (the eIDAS test IdP)")
    steps: dict[str, list[float]] = defaultdict(list)
    for name, ms, _ok in journey.steps:
        steps[name].append(ms)
    print(
        "Per journey step (ms, all its pages and think times; 'evidence' includes waiting for the exchange):"
    )
    print(f"  {'step':<52} {'n':>6} {'p50':>6} {'p95':>6} {'p99':>6}")
    for name, values in steps.items():
        print(
            f"  {name:<52} {len(values):>6} {_percentile(values, 0.5):>6.0f} "
            f"{_percentile(values, 0.95):>6.0f} {_percentile(values, 0.99):>6.0f}"
        )
    # A failed request ends its citizen's journey: it is both a page error and a journey error, counted once.
    return PhaseFigures(pps, worst, max(len(journey.errors), sum(page_errors.values())))


def report(
    capacity: tuple[Results, float],
    latency: tuple[Results, float] | None,
    floor: tuple[Results, float],
    args: Any,
) -> bool:
    print(
        f"\n{args.users} citizens, scenario {args.scenario}, procedure {args.procedure} from {args.country}, "
        f"{'one login per citizen' if args.login_once else 'a login per journey'}, "
        f"gunicorn {args.web_workers}x{args.threads} gthread, "
        f"2 Celery workers, {args.drivers} driver processes"
    )
    cap = phase_report(f"Capacity: {args.users} citizens without think time", *capacity)
    think = think_range(args.think_seconds)
    lat = (
        phase_report(
            f"Latency: {args.users} citizens thinking {think[0]:g}-{think[1]:g} s before each page", *latency
        )
        if latency is not None
        else cap
    )
    floor_results, floor_seconds = floor
    floor_ms = [s.ms for s in floor_results.samples]
    floor_pps = len(floor_results.samples) / floor_seconds
    print(
        f"\nFloor (bare view, one query, {args.users} clients without pause, {floor_seconds:.1f} s): "
        f"{floor_pps:.1f} pages/s, "
        f"p50 {_percentile(floor_ms, 0.5):.0f} ms, p95 {_percentile(floor_ms, 0.95):.0f} ms, "
        f"p99 {_percentile(floor_ms, 0.99):.0f} ms, errors {len(floor_results.errors)}"
    )
    for error in sorted(set(floor_results.errors))[:5]:
        print(f"    {floor_results.errors.count(error)} x {error}")
    ratio = floor_pps / cap.pages_per_second if cap.pages_per_second else float("inf")
    errors = cap.errors + (lat.errors if latency is not None else 0)
    where = "thinking" if latency is not None else "without think time"
    verdicts = [
        (
            f"p95 of every portal page <= 150 ms at {args.users} citizens {where} "
            f"(worst {lat.worst_portal_p95:.0f} ms)",
            lat.worst_portal_p95 <= P95_TARGET_MS,
        ),
        (f"zero errors ({errors})", errors == 0),
        (
            f"floor pages/s / capacity pages/s <= 3 "
            f"({floor_pps:.1f} / {cap.pages_per_second:.1f} = {ratio:.2f})",
            ratio <= FLOOR_RATIO_TARGET,
        ),
    ]
    for text, met in verdicts:
        print(f"  {'meets' if met else 'MISSES'}: {text}")
    if latency is not None:
        print(
            "  (without think time, at saturation, the worst portal-page p95 is "
            f"{cap.worst_portal_p95:.0f} ms: "
            f"{'within' if cap.worst_portal_p95 <= P95_TARGET_MS else 'beyond'} 150 ms)"
        )
    return all(met for _, met in verdicts)


def _checks() -> None:
    """What the database says after the run: applications submitted, exchanges not received."""
    from django.db.models import Count

    from exchanges.models import EvidenceRequest
    from procedures.models import Application

    applications = dict(Application.objects.values_list("status").annotate(n=Count("pk")))
    exchanges = dict(EvidenceRequest.objects.values_list("state").annotate(n=Count("pk")))
    print(f"Database: applications by status {applications}; exchanges by state {exchanges}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="simulated citizens (and floor clients)")
    parser.add_argument(
        "--seconds", type=float, default=120, help="length of the latency phase (citizens thinking)"
    )
    parser.add_argument(
        "--capacity-seconds", type=float, default=60, help="length of the capacity phase (no think time)"
    )
    parser.add_argument("--floor-seconds", type=float, default=20, help="length of the floor phase")
    parser.add_argument("--max-seconds", type=float, default=600, help="hard stop of the whole run")
    parser.add_argument(
        "--think-seconds",
        type=float,
        default=2.0,
        help="mean pause of the latency phase before each page a person asks for (uniform, 0.5x to 1.5x); "
        "0 skips that phase",
    )
    parser.add_argument(
        "--login-once",
        action="store_true",
        help="each citizen logs in once and then plays journeys in that session (spares the eIDAS test IdP)",
    )
    parser.add_argument("--poll-seconds", type=float, default=0.5, help="status.json interval")
    parser.add_argument("--procedure", default="T2")
    parser.add_argument("--country", default="DE")
    parser.add_argument("--scenario", default="immediate")
    parser.add_argument("--web-workers", type=int, default=4, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn process")
    parser.add_argument("--drivers", type=int, default=2, help="processes generating the load")
    parser.add_argument(
        "--simulator-workers",
        type=int,
        default=2,
        help="gunicorn processes of the simulators' own server (4 threads each); 0: served by the portal's",
    )
    args = parser.parse_args()

    def hard_stop(signum: int, frame: object) -> None:
        sys.exit(f"hard stop after {args.max_seconds:g} s")

    signal.signal(signal.SIGALRM, hard_stop)
    signal.alarm(int(args.max_seconds))
    web_argv = ["-k", "gthread", "-w", str(args.web_workers), "--threads", str(args.threads)]
    # Keep-alive longer than the longest think time (3 s): gunicorn's default (2 s) closes a citizen's
    # connection while they read, and a request sent just then meets a reset (a browser would resend it).
    web_argv += ["--backlog", "256", "--timeout", "60", "--keep-alive", "5"]
    # Personas bench-0 .. bench-<users - 1> for the capacity phase, the next ones for the latency phase: a
    # journey cut off at the end of a phase leaves a draft, which would send that person elsewhere.
    extra_env = {"DJANGO_SETTINGS_MODULE": "bench.settings", "BENCH_CITIZENS": str(2 * args.users)}
    # collectstatic: the manifest storage of DEBUG off; load_demo: the requirements (quiet: it prints the
    # demo owner's password); prepare_receipt_font: once per deployment, as the image build does.
    before_web = (("collectstatic", "--no-input"), ("load_demo",), ("prepare_receipt_font",))
    # The simulators stand for remote parties (the eIDAS node, the Common Services, the access points and
    # the providers): served apart, so that a portal page waiting on one never waits on its own workers.
    simulator_argv = None
    if args.simulator_workers:
        simulator_argv = ["-k", "gthread", "-w", str(args.simulator_workers), "--threads", "4"]
        simulator_argv += ["--timeout", "60", "--keep-alive", "5"]
    with Stack.running(
        extra_env=extra_env,
        web_argv=web_argv,
        before_web=before_web,
        simulator_web_argv=simulator_argv,
    ) as stack:
        stack.start_workers(2)
        config = {
            "base_url": stack.base_url,
            "procedure": args.procedure,
            "country": args.country,
            "scenario": args.scenario,
            "timeout": 60.0,
            "poll_seconds": args.poll_seconds,
            "think_seconds": args.think_seconds,
            "login_once": args.login_once,
        }
        # One journey alone first: it fills the Common Services cache and proves the set-up works.
        warm, _ = run_phase(
            "journey", 1, 1, {**config, "max_journeys": 1, "think_seconds": 0.0}, args.seconds
        )
        if warm.errors or not warm.journeys:
            print(f"The warm-up journey failed: {warm.errors}\n{stack.processes[0].log()[-4000:]}")
            return 1
        floor = run_phase(
            "floor", args.users, args.drivers, {**config, "think_seconds": 0.0}, args.floor_seconds
        )
        capacity = run_phase(
            "journey", args.users, args.drivers, {**config, "think_seconds": 0.0}, args.capacity_seconds
        )
        latency = (
            run_phase(
                "journey", args.users, args.drivers, {**config, "first_persona": args.users}, args.seconds
            )
            if args.think_seconds > 0
            else None
        )
        met = report(capacity, latency, floor, args)
        stack.setup_django()
        _checks()
    return 0 if met else 2


if __name__ == "__main__":
    sys.exit(main())
