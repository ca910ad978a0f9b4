"""The page shell under load: the signed-in dashboard and ``GET /api/v1/me`` beside a trivial view.

Requests/s and latency (p50, p99) of each endpoint, served by one gunicorn (the options of
``frontoffice serve``, DEBUG off) in one run, loaded in turn by wrk. The baseline is a bare Django view
(``/bench/trivial``) served by that same server; the issue's target is ≥ 0.5 × its requests/s for the
dashboard and for ``/api/v1/me``. Queries per request are counted afterwards, in process.

    python bench/run.py shell                      # fresh data folder, SQLite
    python bench/bench_shell.py --duration 5       # alone (makes and removes its own data folder)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import log  # noqa: E402

PASSWORD = "frontoffice-demo"
ORG = "demo-medical"
RECEPTIONIST = "receptionist@przychodnia.example"
OWNER = "owner@frontoffice.example"
TARGET = 0.5
BASELINE = "bare view `/bench/trivial`"
HEALTHZ = "`GET /healthz`"


@dataclass
class Endpoint:
    label: str
    what: str
    path: str
    headers: dict
    target: bool = False  # judged against the issue's ≥ 0.5 × baseline


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per endpoint (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up load per endpoint (default 2)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="measure every endpoint this many times, interleaved, and report the run with the "
                             "median req/s: other work on the machine then skews all endpoints alike (default 3)")
    return parser.parse_args(argv)


def prepare_environment() -> tuple[dict, Path | None]:
    """The environment of the server and the CLI; a data folder of our own when run alone."""
    own = None
    if not os.environ.get("FRONTOFFICE_DATA_DIR"):
        own = Path(tempfile.mkdtemp(prefix="frontoffice-bench-"))
        os.environ["FRONTOFFICE_DATA_DIR"] = str(own)
    os.environ["FRONTOFFICE_DEBUG"] = "false"
    os.environ.pop("FRONTOFFICE_DEMO", None)  # as `frontoffice serve`, not the demo's banner
    return dict(os.environ), own


def endpoints(server: harness.Server, env: dict) -> list[Endpoint]:
    """Sign in for real, make a token with the CLI, and check every endpoint answers as it should."""
    log("signing in (receptionist, owner) and creating an API token")
    desk = harness.sign_in(server.base, RECEPTIONIST, PASSWORD)
    owner = harness.sign_in(server.base, OWNER, PASSWORD)
    token = harness.cli("token", "create", "--email", RECEPTIONIST, "--org", ORG, "--name", "bench", env=env).strip()
    bearer = {"Authorization": f"Bearer {token}"}

    status, me = harness.fetch_json(server.base + "/api/v1/me", bearer)
    if status != 200 or me.get("user", {}).get("email") != RECEPTIONIST:
        sys.exit(f"/api/v1/me: HTTP {status} {me}")
    # The signed-in page, not a login redirect: the top bar, the sign-out form, the person's name, the cards
    # (the clients card among them); the owner's page also has the organisation switch (two organisations).
    for cookie, must in ((desk, me["user"]["full_name"]), (desk, 'id="dashboard-client-search"'), (owner, 'id="org-switch"')):
        page = harness.fetch(server.base + "/", headers={"Cookie": cookie})
        if not (page.status == 200 and 'class="topbar"' in page.body and 'action="/account/logout/"' in page.body
                and 'class="cards"' in page.body and must in page.body):
            sys.exit(f"GET / did not render the signed-in dashboard: HTTP {page.status} {page.headers.get('Location')}")
    for path in ("/bench/raw", "/bench/trivial", "/healthz"):
        response = harness.fetch(server.base + path)
        if response.status != 200 or response.body != "ok":
            sys.exit(f"{path}: HTTP {response.status} {response.body[:80]!r}")

    return [
        Endpoint("raw WSGI `/bench/raw`", "server ceiling, no Django", "/bench/raw", {}),
        Endpoint(BASELINE, "**baseline**: full middleware, anonymous", "/bench/trivial", {}),
        Endpoint(HEALTHZ, "app's trivial view, anonymous", "/healthz", {}),
        Endpoint("`GET /healthz` signed in", "session + user + member middleware", "/healthz", {"Cookie": desk}),
        Endpoint("`GET /` dashboard", "receptionist, one organisation", "/", {"Cookie": desk}, target=True),
        Endpoint("`GET /` dashboard (owner)", "owner of two organisations", "/", {"Cookie": owner}),
        Endpoint("`GET /api/v1/me`", "Bearer token", "/api/v1/me", bearer, target=True),
    ]


def load_all(server: harness.Server, points: list[Endpoint], args) -> dict[str, list[harness.Load]]:
    """Every endpoint under load, round after round (interleaved, so a busy spell hits them all alike)."""
    wrk = dict(threads=args.threads, connections=args.connections)
    if args.warmup > 0:
        log(f"warming up: {args.warmup:g} s per endpoint")
        for point in points:
            harness.wrk(server.base + point.path, headers=point.headers, seconds=args.warmup, **wrk)
    runs: dict[str, list[harness.Load]] = {p.label: [] for p in points}
    for round_ in range(args.rounds):
        for point in points:
            load = harness.wrk(server.base + point.path, headers=point.headers, seconds=args.duration, **wrk)
            runs[point.label].append(load)
            log(f"round {round_ + 1}/{args.rounds} {point.path:<16} {load.requests_per_s:9.0f} req/s  "
                f"p50 {load.p50_ms:6.2f} ms  p99 {load.p99_ms:6.2f} ms" + ("" if load.ok else f"  BAD {load.bad}"))
    return runs


@dataclass
class Row:
    point: Endpoint
    load: harness.Load  # the round with the median req/s
    ratio: float  # median over rounds of req/s ÷ the baseline's req/s in the same round
    ratio_healthz: float
    spread: tuple[float, float]  # lowest and highest per-round ratio


def summarise(points: list[Endpoint], runs: dict[str, list[harness.Load]]) -> list[Row]:
    baseline = [load.requests_per_s for load in runs[BASELINE]]
    healthz = [load.requests_per_s for load in runs[HEALTHZ]]
    rows = []
    for point in points:
        loads = runs[point.label]
        middle = statistics.median_low([load.requests_per_s for load in loads])
        ratios = [load.requests_per_s / base for load, base in zip(loads, baseline)]
        to_healthz = [load.requests_per_s / base for load, base in zip(loads, healthz)]
        rows.append(Row(point, next(load for load in loads if load.requests_per_s == middle),
                        statistics.median(ratios), statistics.median(to_healthz), (min(ratios), max(ratios))))
    return rows


def count_queries(points: list[Endpoint]) -> dict[str, int]:
    """Queries per request in steady state (second request, session already cached), in this process."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontoffice.settings")
    import trivial_wsgi  # noqa: F401  (sets Django up and adds /bench/trivial)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for point in points:
        if point.path == "/bench/raw":  # not Django
            continue
        client = Client(HTTP_HOST="127.0.0.1")
        headers = {k: v for k, v in point.headers.items() if k != "Cookie"}
        if "Cookie" in point.headers:
            client.cookies = SimpleCookie(point.headers["Cookie"])
        client.get(point.path, headers=headers)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(point.path, headers=headers)
        counts[point.label] = len(queries) if response.status_code == 200 else -1
    return counts


def report(rows: list[Row], queries: dict[str, int], args) -> None:
    print(f"gunicorn {args.workers} sync workers (the options of `frontoffice serve`, DEBUG off); "
          f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency on the same machine; "
          f"{args.warmup} s warm-up per endpoint; {args.rounds} interleaved round(s).")
    print("req/s, p50, p99: the round with the median req/s. Ratios: median over rounds of the endpoint's req/s "
          "÷ the baseline's in the same round (lowest–highest in brackets).")
    print(f"Before the run: {args.load_before}.\n")
    print("| endpoint | what | req/s | p50 ms | p99 ms | ÷ bare view | ÷ /healthz | queries |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        flag = "" if row.load.ok else f" ⚠ {row.load.bad} bad"
        spread = f" ({row.spread[0]:.2f}–{row.spread[1]:.2f})" if args.rounds > 1 else ""
        print(f"| {row.point.label} | {row.point.what} | {row.load.requests_per_s:,.0f}{flag} | "
              f"{row.load.p50_ms:.2f} | {row.load.p99_ms:.2f} | {row.ratio:.2f}{spread} | {row.ratio_healthz:.2f} | "
              f"{queries.get(row.point.label, '–')} |")
    verdicts = [f"{row.point.label} {row.ratio:.2f} {'PASS' if row.ratio >= TARGET else 'FAIL'}"
                for row in rows if row.point.target]
    print(f"\nTarget (issue): ≥ {TARGET} × the bare view's req/s — " + "; ".join(verdicts) + ".")


def main(argv=None) -> int:
    args = parse_args(argv)
    if not Path(harness.WRK).exists():
        sys.exit("wrk is not installed (apt-get install -y wrk)")
    env, own = prepare_environment()
    data_dir = Path(env["FRONTOFFICE_DATA_DIR"])
    try:
        log(f"data folder {data_dir}; loading the demo office")
        harness.cli("demo", "--no-serve", env=env)
        args.load_before = harness.machine_load()
        with harness.Server(env=env, workers=args.workers, log_path=data_dir / "bench_shell_server.log") as server:
            log(f"serving on {server.base} with {args.workers} workers")
            points = endpoints(server, env)
            runs = load_all(server, points, args)
        log("counting queries per request")
        queries = count_queries(points)
        rows = summarise(points, runs)
        report(rows, queries, args)
    finally:
        if own is not None:
            shutil.rmtree(own, ignore_errors=True)
    bad = [point.label for point, loads in zip(points, runs.values()) if not all(load.ok for load in loads)]
    if bad:
        print(f"\nERROR: non-2xx/3xx responses or socket errors under load: {', '.join(bad)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
