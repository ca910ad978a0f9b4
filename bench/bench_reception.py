"""Reception under load: check-in over the API, and the desk screen's live partial with 500 visits today.

1. ``POST /api/v1/visits/{id}/check-in`` (Bearer token, a receptionist) under wrk, every request checking in
   a different expected visit (a pool made beforehand; wrk's Lua script walks it, one slice per wrk thread),
   beside the bare Django view ``/bench/trivial`` served by the same gunicorn in the same run, interleaved
   round by round. Issue target: ≥ 200 requests/s with p99 < 50 ms on PostgreSQL. Afterwards the pool is
   checked: every 2xx answer is one visit checked in, none twice.
2. ``GET /reception/live/`` (the desk's partial that the screen re-fetches) rendered in process by Django's
   test client, signed in as the receptionist, with 500 visits today at the site in every state; beside
   ``GET /healthz`` signed in through the same client (the signed-in floor). Target: < 20 ms. Wall clock
   and CPU time (this thread's, plus on PostgreSQL the database backend's): the machine may be shared.

    python bench/run.py reception -- --only desk       # the desk partial alone (no server, no pool)

    python bench/run.py reception --database-url postgres://postgres@127.0.0.1:5432/bench_reception
    python bench/run.py reception                      # SQLite
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from bench_client_search import CpuClock  # noqa: E402
from harness import log  # noqa: E402

ORG = "demo-medical"
RECEPTIONIST = "receptionist@przychodnia.example"
PASSWORD = "frontoffice-demo"
CHECK_IN_RATE, CHECK_IN_P99, DESK_MS, DESK_VISITS = 200, 50.0, 20.0, 500

LUA = r"""
-- Each wrk thread walks its own slice of the pool: thread k takes ids k, k+n, k+2n, ...
local threads, counter = {}, 0
function setup(thread)
  thread:set("slot", #threads)
  table.insert(threads, thread)
end
function init(args)
  ids = {}
  local i = 0
  for line in io.lines(args[1]) do
    if i % tonumber(args[2]) == slot then table.insert(ids, line) end
    i = i + 1
  end
  wrk.headers["Authorization"] = "Bearer " .. args[3]
  wrk.headers["Content-Type"] = "application/json"
end
function request()
  counter = counter + 1
  local id = ids[counter]
  if id == nil then id = "0" end  -- pool exhausted: a 404, counted as bad
  return wrk.format("POST", "/api/v1/visits/" .. id .. "/check-in", nil, "{}")
end
"""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=0,
                        help="gunicorn sync workers (default: as `frontoffice serve`, 2 × CPUs + 1, at most 8)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per round (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the median is reported (default 3)")
    parser.add_argument("--pool", type=int, default=40_000, help="expected visits made for checking in (default 40000)")
    parser.add_argument("--renders", type=int, default=300, help="renders of the desk partial (default 300)")
    parser.add_argument("--only", choices=("check-in", "desk"), help="measure one part only")
    return parser.parse_args(argv)


def prepare_environment() -> tuple[dict, Path | None]:
    own = None
    if not os.environ.get("FRONTOFFICE_DATA_DIR"):
        own = Path(tempfile.mkdtemp(prefix="frontoffice-bench-"))
        os.environ["FRONTOFFICE_DATA_DIR"] = str(own)
    os.environ["FRONTOFFICE_DEBUG"] = "false"
    os.environ["FRONTOFFICE_EMAIL_URL"] = "dummy://"  # host e-mails are built and handed to a backend that drops them
    os.environ["FRONTOFFICE_PERIODIC"] = "off"
    os.environ.pop("FRONTOFFICE_DEMO", None)
    return dict(os.environ), own


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontoffice.settings")
    import django

    django.setup()


def make_pool(size: int):
    """``size`` expected visits today at a site of their own (so the desk measurement is not skewed)."""
    from django.utils import timezone

    from frontoffice.core.models import Member, Organization, Site
    from frontoffice.reception.models import Visit, new_code

    org = Organization.objects.get(slug=ORG)
    site = Site.objects.create(organization=org, name="Bench annex")
    host = Member.objects.filter(organization=org, active=True).exclude(user__email=RECEPTIONIST).first()
    now = timezone.now()
    visits = [Visit(organization=org, site=site, host_member=host, visit_type="visitor",
                    visitor_name=f"Bench Visitor {n}", expected_at=now + timedelta(hours=1), code=new_code())
              for n in range(size)]
    Visit.objects.bulk_create(visits, batch_size=2000)
    _analyze_visits()
    ids = list(Visit.objects.filter(site=site).order_by("pk").values_list("pk", flat=True))
    random.Random(1).shuffle(ids)
    return site, ids


def _analyze_visits() -> None:
    """The statistics autovacuum would gather within a minute: without them PostgreSQL may look a visit up
    through the organisation's index, reading every row of the pool, for the first minute of load."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE reception_visit")


def make_desk_day():
    """500 visits today at the demo's first site, in every state the desk shows."""
    from django.utils import timezone

    from frontoffice.core.models import Member, Organization, Site
    from frontoffice.reception.models import Visit, new_code

    org = Organization.objects.get(slug=ORG)
    site = Site.objects.filter(organization=org).exclude(name="Bench annex").order_by("pk").first()
    hosts = list(Member.objects.filter(organization=org, active=True))
    now = timezone.now()
    already = Visit.objects.filter(site=site, expected_at__date=now.date()).count()
    states = ["expected", "arrived", "with_host", "left", "cancelled"]
    rows = []
    for n in range(max(0, DESK_VISITS - already)):
        status = states[n % len(states)]
        arrived = now - timedelta(minutes=5 + n % 50) if status in ("arrived", "with_host", "left") else None
        rows.append(Visit(organization=org, site=site, host_member=hosts[n % len(hosts)], visit_type="visitor",
                          visitor_name=f"Desk Visitor {n}", visitor_company="Bench Ltd", status=status,
                          expected_at=now - timedelta(minutes=30) + timedelta(minutes=n % 120), arrived_at=arrived,
                          host_met_at=arrived + timedelta(minutes=3) if status in ("with_host", "left") else None,
                          left_at=now - timedelta(minutes=1) if status == "left" else None,
                          badge_number=str(n + 1) if arrived else "", code=new_code()))
    Visit.objects.bulk_create(rows, batch_size=1000)
    _analyze_visits()
    return site


def check_in_load(server, url_token: str, pool: list[int], args, data_dir: Path):
    """Rounds of [baseline, check-in], interleaved; each check-in round gets a fresh slice of the pool."""
    script = data_dir / "check_in.lua"
    script.write_text(LUA)
    results = {"baseline": [], "check_in": [], "cpu_ms": []}
    cursor = 0
    per_round = len(pool) // (args.rounds + 1)
    for round_ in range(args.rounds + 1):  # round 0 warms up
        seconds = 2 if round_ == 0 else args.duration
        base = harness.wrk(server.base + "/bench/trivial", headers={}, threads=args.threads,
                           connections=args.connections, seconds=seconds)
        ids_file = data_dir / f"pool_{round_}.txt"
        ids_file.write_text("\n".join(str(i) for i in pool[cursor:cursor + per_round]) + "\n")
        cursor += per_round
        cpu_before = server_cpu_seconds(server)
        done = subprocess.run([harness.WRK, f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s", "--latency",
                               "-s", str(script), server.base, "--", str(ids_file), str(args.threads), url_token],
                              capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"wrk failed: {done.stderr}{done.stdout[:500]}")
        load = harness.parse_wrk(done.stdout)
        cpu_ms = (server_cpu_seconds(server) - cpu_before) * 1000 / max(load.requests, 1)
        results["answered"] = results.get("answered", 0) + load.requests
        master = server.process.pid  # gunicorn's arbiter: its children are the workers
        results["workers"] = len(Path(f"/proc/{master}/task/{master}/children").read_text().split())
        if round_ == 0:
            log(f"warm-up: check-in {load.requests_per_s:.0f} req/s")
            continue
        results["baseline"].append(base)
        results["check_in"].append(load)
        results["cpu_ms"].append(cpu_ms)
        log(f"round {round_}/{args.rounds}: bare view {base.requests_per_s:7.0f} req/s p99 {base.p99_ms:6.2f} ms; "
            f"check-in {load.requests_per_s:6.0f} req/s p99 {load.p99_ms:6.2f} ms, server CPU {cpu_ms:.1f} ms each"
            + ("" if load.ok else f" BAD {load.bad}"))
    return results


def server_cpu_seconds(server) -> float:
    """CPU seconds (user + system) used so far by the server's processes and their threads (Linux)."""
    def tree(pid: int) -> list[int]:
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        return [pid] + [p for child in children for p in tree(int(child))]

    total = 0
    for pid in tree(server.process.pid):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def verify_pool(site, answered: int) -> str:
    from django.db.models import Count

    from frontoffice.core.models import Activity
    from frontoffice.reception.models import Visit

    checked = Visit.objects.filter(site=site, status="arrived").count()
    twice = (Activity.objects.filter(verb="visit.checked_in", site=site).values("subject_id")
             .annotate(n=Count("id")).filter(n__gt=1).count())
    return f"{checked:,} visits checked in, {twice} checked in twice; wrk counted {answered:,} answers"


def desk_timing(site, renders: int) -> tuple[dict[str, list[float]], dict[str, list[float]], int]:
    """Wall-clock and CPU milliseconds of each render, by name (``desk``, ``floor``), and the desk's queries."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from frontoffice.core.models import Member

    member = Member.objects.get(organization__slug=ORG, user__email=RECEPTIONIST)
    client = Client(HTTP_HOST=next((h for h in settings.ALLOWED_HOSTS if "*" not in h), "localhost"))
    client.force_login(member.user)
    session = client.session
    session["frontoffice_org"] = member.organization_id
    session.save()
    url = reverse("reception:desk_live") + f"?site={site.pk}"
    response = client.get(url)
    if response.status_code != 200 or b"Desk Visitor" not in response.content:
        sys.exit(f"{url}: HTTP {response.status_code}, the 500 visits are not on it")
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *rest: queries.append(sql) or execute(sql, *rest)):
        client.get(url)
    timings, cpu = {"desk": [], "floor": []}, {"desk": [], "floor": []}
    clock = CpuClock(connection)
    for _ in range(renders):
        for name, path in (("floor", "/healthz"), ("desk", url)):
            cpu0 = clock()
            started = time.perf_counter()
            client.get(path)
            timings[name].append((time.perf_counter() - started) * 1000)
            cpu[name].append((clock() - cpu0) / 1e6)
    return timings, cpu, len(queries)


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1]


def main(argv=None) -> int:
    args = parse_args(argv)
    load_part, desk_part = args.only in (None, "check-in"), args.only in (None, "desk")
    if load_part and not Path(harness.WRK).exists():
        sys.exit("wrk is not installed (apt-get install -y wrk)")
    env, own = prepare_environment()
    data_dir = Path(env["FRONTOFFICE_DATA_DIR"])
    try:
        log(f"data folder {data_dir}; loading the demo office")
        harness.cli("demo", "--no-serve", env=env)
        setup_django()
        if load_part:
            log(f"making {args.pool:,} expected visits")
            pool_site, pool = make_pool(args.pool)
        if desk_part:
            log(f"making a desk day of {DESK_VISITS} visits")
            desk_site = make_desk_day()
        if load_part:
            token = harness.cli("token", "create", "--email", RECEPTIONIST, "--org", ORG, "--name", "bench",
                                env=env).strip()
            load_before = harness.machine_load()
            with harness.Server(env=env, workers=args.workers, log_path=data_dir / "bench_reception_server.log") as server:
                log(f"serving on {server.base}; loading")
                runs = check_in_load(server, token, pool, args, data_dir)
            answered, workers = runs.pop("answered"), runs.pop("workers")
            pool_report = verify_pool(pool_site, answered)
        if desk_part:
            log("timing the desk partial in process")
            desk_load = harness.machine_load()
            desk, cpu, queries = desk_timing(desk_site, args.renders)
    finally:
        if own is not None:
            shutil.rmtree(own, ignore_errors=True)

    targets = []
    if load_part:
        targets += report_check_in(args, workers, runs, load_before, pool_report)
    if desk_part:
        targets += report_desk(args, desk, cpu, queries, desk_load)
    print(f"Targets (issue): {'; '.join(targets)}.")
    bad = [load for load in runs["check_in"] + runs["baseline"] if not load.ok] if load_part else []
    if bad:
        print("\nERROR: non-2xx answers or socket errors under load")
        return 1
    return 0


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report_check_in(args, workers: int, runs: dict, load_before: str, pool_report: str) -> list[str]:
    """Print the check-in table; the verdicts on its targets."""
    ratios = [c.requests_per_s / b.requests_per_s for b, c in zip(runs["baseline"], runs["check_in"])]
    middle = sorted(range(len(ratios)), key=lambda i: runs["check_in"][i].requests_per_s)[len(ratios) // 2]
    base, check = runs["baseline"][middle], runs["check_in"][middle]
    default = " (the default of `frontoffice serve`)" if not args.workers else ""
    print(f"gunicorn {workers} sync workers{default} (`frontoffice serve` options, DEBUG off, e-mail to a dummy "
          f"backend); wrk -t{args.threads} -c{args.connections} -d{args.duration}s; {args.rounds} interleaved rounds, the "
          f"round with the median check-in req/s shown. Server CPU: user + system time of the gunicorn processes "
          f"(request and task threads) per check-in answered, median over rounds "
          f"{statistics.median(runs['cpu_ms']):.1f} ms (the machine may be shared: CPU time is the steadier "
          f"figure). Before the run: {load_before}.")
    print()
    print("| endpoint | req/s | p50 ms | p99 ms | ÷ bare view |")
    print("|---|---:|---:|---:|---:|")
    print(f"| bare view `/bench/trivial` (**baseline**) | {base.requests_per_s:,.0f} | {base.p50_ms:.2f} | "
          f"{base.p99_ms:.2f} | 1.00 |")
    print(f"| `POST /api/v1/visits/{{id}}/check-in` | {check.requests_per_s:,.0f} | {check.p50_ms:.2f} | "
          f"{check.p99_ms:.2f} | {statistics.median(ratios):.2f} ({min(ratios):.2f}–{max(ratios):.2f}) |")
    print()
    print(f"Pool after the run: {pool_report}.")
    print()
    return [f"check-in ≥ {CHECK_IN_RATE} req/s — {check.requests_per_s:,.0f} {verdict(check.requests_per_s >= CHECK_IN_RATE)}",
            f"p99 < {CHECK_IN_P99:g} ms — {check.p99_ms:.1f} {verdict(check.p99_ms < CHECK_IN_P99)}"]


def report_desk(args, timings: dict, cpu: dict, queries: int, load: str) -> list[str]:
    """Print the desk partial's table (wall clock and CPU); the verdict on its target."""
    from django.db import connection

    floor, desk = timings["floor"], timings["desk"]
    backend = " + the PostgreSQL backend's" if connection.vendor == "postgresql" else ""
    print(f"Desk partial `GET /reception/live/` with {DESK_VISITS} visits today, {args.renders} renders in process "
          f"(Django test client, signed in), {queries} queries per render; CPU = this thread's{backend} CPU time. "
          f"Before: {load}.")
    print()
    print("| request | p50 ms | p95 ms | max ms | CPU p50 | CPU p95 |")
    print("|---|---:|---:|---:|---:|---:|")
    print(f"| `GET /healthz` signed in (**baseline**: the signed-in floor) | {statistics.median(floor):.2f} | "
          f"{pct(floor, 95):.2f} | {max(floor):.2f} | {statistics.median(cpu['floor']):.2f} | {pct(cpu['floor'], 95):.2f} |")
    print(f"| `GET /reception/live/` | {statistics.median(desk):.2f} | {pct(desk, 95):.2f} | {max(desk):.2f} | "
          f"{statistics.median(cpu['desk']):.2f} | {pct(cpu['desk'], 95):.2f} |")
    print()
    return [f"desk partial p95 < {DESK_MS:g} ms — {pct(desk, 95):.1f} {verdict(pct(desk, 95) < DESK_MS)} "
            f"(CPU p95 {pct(cpu['desk'], 95):.1f})"]


if __name__ == "__main__":
    sys.exit(main())
