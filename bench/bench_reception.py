"""Reception under load: check-in over the API, and the desk screen's live partial with 500 visits today.

1. ``POST /api/v1/visits/{id}/check-in`` (Bearer token, a receptionist) under wrk, every request checking in
   a different expected visit (a pool made beforehand; wrk's Lua script walks it, one slice per wrk thread),
   beside the bare Django view ``/bench/trivial`` served by the same gunicorn in the same run, interleaved
   round by round. Issue target: ≥ 200 requests/s with p99 < 50 ms on PostgreSQL. Afterwards the pool is
   checked: every 2xx answer is one visit checked in, none twice.
2. ``GET /reception/live/`` (the desk's partial that the screen re-fetches) rendered in process by Django's
   test client, signed in as the receptionist, with 500 visits today at the site in every state; beside
   ``GET /healthz`` signed in through the same client (the signed-in floor). Target: < 20 ms.

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
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per round (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the median is reported (default 3)")
    parser.add_argument("--pool", type=int, default=40_000, help="expected visits made for checking in (default 40000)")
    parser.add_argument("--renders", type=int, default=300, help="renders of the desk partial (default 300)")
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
    ids = list(Visit.objects.filter(site=site).order_by("pk").values_list("pk", flat=True))
    random.Random(1).shuffle(ids)
    return site, ids


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
    return site


def check_in_load(server, url_token: str, pool: list[int], args, data_dir: Path):
    """Rounds of [baseline, check-in], interleaved; each check-in round gets a fresh slice of the pool."""
    script = data_dir / "check_in.lua"
    script.write_text(LUA)
    results = {"baseline": [], "check_in": []}
    cursor = 0
    per_round = len(pool) // (args.rounds + 1)
    for round_ in range(args.rounds + 1):  # round 0 warms up
        seconds = 2 if round_ == 0 else args.duration
        base = harness.wrk(server.base + "/bench/trivial", headers={}, threads=args.threads,
                           connections=args.connections, seconds=seconds)
        ids_file = data_dir / f"pool_{round_}.txt"
        ids_file.write_text("\n".join(str(i) for i in pool[cursor:cursor + per_round]) + "\n")
        cursor += per_round
        done = subprocess.run([harness.WRK, f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s", "--latency",
                               "-s", str(script), server.base, "--", str(ids_file), str(args.threads), url_token],
                              capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"wrk failed: {done.stderr}{done.stdout[:500]}")
        load = harness.parse_wrk(done.stdout)
        results["answered"] = results.get("answered", 0) + load.requests
        if round_ == 0:
            log(f"warm-up: check-in {load.requests_per_s:.0f} req/s")
            continue
        results["baseline"].append(base)
        results["check_in"].append(load)
        log(f"round {round_}/{args.rounds}: bare view {base.requests_per_s:7.0f} req/s p99 {base.p99_ms:6.2f} ms; "
            f"check-in {load.requests_per_s:6.0f} req/s p99 {load.p99_ms:6.2f} ms" + ("" if load.ok else f" BAD {load.bad}"))
    return results


def verify_pool(site, answered: int) -> str:
    from django.db.models import Count

    from frontoffice.core.models import Activity
    from frontoffice.reception.models import Visit

    checked = Visit.objects.filter(site=site, status="arrived").count()
    twice = (Activity.objects.filter(verb="visit.checked_in", site=site).values("subject_id")
             .annotate(n=Count("id")).filter(n__gt=1).count())
    return f"{checked:,} visits checked in, {twice} checked in twice; wrk counted {answered:,} answers"


def desk_timing(site, renders: int) -> tuple[list[float], list[float], int]:
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
    timings = {"desk": [], "floor": []}
    for _ in range(renders):
        for name, path in (("floor", "/healthz"), ("desk", url)):
            started = time.perf_counter()
            client.get(path)
            timings[name].append((time.perf_counter() - started) * 1000)
    return timings["desk"], timings["floor"], len(queries)


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1]


def main(argv=None) -> int:
    args = parse_args(argv)
    if not Path(harness.WRK).exists():
        sys.exit("wrk is not installed (apt-get install -y wrk)")
    env, own = prepare_environment()
    data_dir = Path(env["FRONTOFFICE_DATA_DIR"])
    try:
        log(f"data folder {data_dir}; loading the demo office")
        harness.cli("demo", "--no-serve", env=env)
        setup_django()
        log(f"making {args.pool:,} expected visits and a desk day of {DESK_VISITS} visits")
        pool_site, pool = make_pool(args.pool)
        desk_site = make_desk_day()
        token = harness.cli("token", "create", "--email", RECEPTIONIST, "--org", ORG, "--name", "bench", env=env).strip()
        load_before = harness.machine_load()
        with harness.Server(env=env, workers=args.workers, log_path=data_dir / "bench_reception_server.log") as server:
            log(f"serving on {server.base}; loading")
            runs = check_in_load(server, token, pool, args, data_dir)
        answered = runs.pop("answered")
        log("timing the desk partial in process")
        desk, floor, queries = desk_timing(desk_site, args.renders)
    finally:
        if own is not None:
            shutil.rmtree(own, ignore_errors=True)

    ratios = [c.requests_per_s / b.requests_per_s for b, c in zip(runs["baseline"], runs["check_in"])]
    middle = sorted(range(len(ratios)), key=lambda i: runs["check_in"][i].requests_per_s)[len(ratios) // 2]
    base, check = runs["baseline"][middle], runs["check_in"][middle]
    print(f"gunicorn {args.workers} sync workers (`frontoffice serve` options, DEBUG off, e-mail to a dummy backend); "
          f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s; {args.rounds} interleaved rounds, the round with "
          f"the median check-in req/s shown. Before the run: {load_before}.")
    print()
    print("| endpoint | req/s | p50 ms | p99 ms | ÷ bare view |")
    print("|---|---:|---:|---:|---:|")
    print(f"| bare view `/bench/trivial` (**baseline**) | {base.requests_per_s:,.0f} | {base.p50_ms:.2f} | "
          f"{base.p99_ms:.2f} | 1.00 |")
    print(f"| `POST /api/v1/visits/{{id}}/check-in` | {check.requests_per_s:,.0f} | {check.p50_ms:.2f} | "
          f"{check.p99_ms:.2f} | {statistics.median(ratios):.2f} ({min(ratios):.2f}–{max(ratios):.2f}) |")
    print()
    print(f"Pool after the run: {verify_pool(pool_site, answered)}.")
    print()
    print(f"Desk partial `GET /reception/live/` with {DESK_VISITS} visits today, {args.renders} renders in process "
          f"(Django test client, signed in), {queries} queries per render:")
    print()
    print("| request | p50 ms | p95 ms | max ms |")
    print("|---|---:|---:|---:|")
    print(f"| `GET /healthz` signed in (**baseline**: the signed-in floor) | {statistics.median(floor):.2f} | "
          f"{pct(floor, 95):.2f} | {max(floor):.2f} |")
    print(f"| `GET /reception/live/` | {statistics.median(desk):.2f} | {pct(desk, 95):.2f} | {max(desk):.2f} |")
    print()
    verdict = lambda ok: "PASS" if ok else "FAIL"  # noqa: E731
    print(f"Targets (issue): check-in ≥ {CHECK_IN_RATE} req/s — {check.requests_per_s:,.0f} "
          f"{verdict(check.requests_per_s >= CHECK_IN_RATE)}; p99 < {CHECK_IN_P99:g} ms — {check.p99_ms:.1f} "
          f"{verdict(check.p99_ms < CHECK_IN_P99)}; desk partial p95 < {DESK_MS:g} ms — {pct(desk, 95):.1f} "
          f"{verdict(pct(desk, 95) < DESK_MS)}.")
    bad = [load for load in runs["check_in"] + runs["baseline"] if not load.ok]
    if bad:
        print("\nERROR: non-2xx answers or socket errors under load")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
