"""Calls under load: the incoming-call webhook among 1,000,000 clients, and how fast the switchboard sees a call.

1. ``POST /telephony/twilio/voice`` — what Twilio sends when a call comes in, with a real
   ``X-Twilio-Signature`` — under wrk, beside the bare Django view ``/bench/trivial`` served by the same
   gunicorn in the same run, interleaved round by round. Every request is a new call (its own
   ``CallSid``); the callers are existing clients' numbers (looked up among 1,000,000 clients), unknown
   numbers and withheld ones. The request pool is signed beforehand (wrk's Lua has no HMAC); wrk's Lua
   script walks it, one slice per wrk thread. The answer is the real thing: signature check, the line and
   its organisation, the caller lookup, the routing decision, the call row and its activity, TwiML.
   Afterwards every 2xx answer must be one call row, none twice.
2. The same webhook in process (Django's test client, no network, no queueing): the server time per
   request and its queries, beside ``GET /healthz`` through the same client — the figure the issue's
   "p99 < 20 ms server side" is about.
3. Live update: a receptionist signed in on the same server polls the switchboard's cheap endpoint as
   the page does (every ``--poll-ms``); a webhook is posted at a random moment; the time from sending the
   webhook to the first poll that shows the call. Measured on an idle server and again while wrk loads
   the webhook. Target: < 1 s.

Issue targets (PostgreSQL, 2 cores): the webhook p99 < 20 ms server side and ≥ 300 calls/s; the live
update < 1 s after the webhook.

    python bench/run.py calls --database-url postgres://postgres@127.0.0.1:5432/bench_calls --wait-for-load 1
    python bench/run.py calls -- --clients 20000 --duration 3 --rounds 1 --probes 5   # a quick smoke test
    python bench/bench_calls.py --clients 20000 --keep          # alone: PostgreSQL database bench_search

Under run.py (FRONTOFFICE_DATA_DIR set) the database of the environment is used — it must be empty; it
is migrated, filled by ``gen_clients.py`` and left to the runner. Alone it uses ``gen_clients``'s fresh
database (PostgreSQL ``bench_search`` unless ``--engine sqlite``), removed afterwards unless --keep;
``--reuse`` measures an office this script set up before (kept with --keep) without generating again.
Result lines (Markdown) go to stdout, progress to stderr.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
import gen_clients  # noqa: E402
import harness  # noqa: E402
from bench_client_search import CpuClock  # noqa: E402
from harness import log  # noqa: E402

# gen_clients fills the organisations of these slugs: the measured one (1,000,000 clients) and a second one,
# whose line takes the background load while the live update is measured on the first one's switchboard.
OFFICES = {"bench-search": ("Przychodnia Benchmarkowa", "+48221234567", "owner@calls.bench.example"),
           "bench-other": ("Kancelaria Obok", "+48227654321", "owner@other.bench.example")}
MAIN, OTHER = "bench-search", "bench-other"
RECEPTIONIST = "receptionist@calls.bench.example"
PASSWORD = "bench-calls-password-1"
# The provider signs the public address; the app is reached on 127.0.0.1 as behind a TLS proxy.
PUBLIC_URL = "https://calls.bench.example"
ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "bench-auth-token-0123456789abcdef"
VOICE_PATH = "/telephony/twilio/voice"
ACCESS_LOG = "access.log"  # in the data folder: the server writes it, the report reads server-side times
RATE_TARGET, P99_TARGET_MS, LIVE_TARGET_MS = 300, 20.0, 1000.0
MIX = (("existing client", 0.70), ("unknown number", 0.25), ("withheld", 0.05))

LUA = r"""
-- Each wrk thread walks its own slice of the pool: thread k takes lines k, k+n, k+2n, ...
-- A line is "<signature>\t<form body>".
local threads, counter = {}, 0
function setup(thread)
  thread:set("slot", #threads)
  table.insert(threads, thread)
end
function init(args)
  pool = {}
  local i = 0
  for line in io.lines(args[1]) do
    if i % tonumber(args[2]) == slot then
      local tab = line:find("\t", 1, true)
      table.insert(pool, {line:sub(1, tab - 1), line:sub(tab + 1)})
    end
    i = i + 1
  end
end
function request()
  counter = counter + 1
  local item = pool[counter]
  if item == nil then  -- pool exhausted: an unsigned request, refused (403) and counted as bad
    return wrk.format("POST", "/telephony/twilio/voice", {["Content-Type"] = "application/x-www-form-urlencoded"}, "")
  end
  return wrk.format("POST", "/telephony/twilio/voice",
                    {["Content-Type"] = "application/x-www-form-urlencoded", ["X-Twilio-Signature"] = item[1]},
                    item[2])
end
"""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="postgres",
                        help="alone: which engine (default postgres); under run.py the environment decides")
    parser.add_argument("--clients", type=int, default=1_000_000, help="clients of the organisation (default 1,000,000)")
    parser.add_argument("--other", type=int, default=50_000, help="clients of a second organisation (default 50,000)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections (default 4)")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per round (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the median is shown (default 3)")
    parser.add_argument("--pool", type=int, default=0,
                        help="signed requests per round (default: enough for 1,500 calls/s for --duration)")
    parser.add_argument("--in-process", type=int, default=2000, help="webhooks timed in process (default 2000)")
    parser.add_argument("--probes", type=int, default=30, help="live-update probes, idle and under load (default 30)")
    parser.add_argument("--poll-ms", type=int, default=700, help="the switchboard's poll interval (default 700)")
    parser.add_argument("--reuse", action="store_true", help="alone: measure the kept database again")
    parser.add_argument("--keep", action="store_true", help="alone: keep the database")
    parser.add_argument("--seed", type=int, default=5)
    return parser.parse_args(argv)


# --- the office -----------------------------------------------------------------------------------

def prepare(args) -> tuple[dict, str, bool]:
    """(environment, engine, whether this script made the database and removes it)."""
    if os.environ.get("FRONTOFFICE_DATA_DIR") and not args.reuse:  # run.py chose the database
        url = os.environ.get("FRONTOFFICE_DATABASE_URL", "")
        env, engine = dict(os.environ), ("postgres" if url.startswith(("postgres", "pgsql")) else "sqlite")
        gen_clients.migrate(env | _settings())
        owned = False
    elif args.reuse:
        env = dict(os.environ)
        env.setdefault("FRONTOFFICE_DATA_DIR", str(Path(os.environ.get("TMPDIR", "/tmp")) / "frontoffice-calls-bench"))
        if args.engine == "postgres":
            env["FRONTOFFICE_DATABASE_URL"] = f"{gen_clients.PG_ADMIN}/{gen_clients.PG_DATABASE}"
        engine, owned = args.engine, False
    else:
        data_dir = str(Path(os.environ.get("TMPDIR", "/tmp")) / "frontoffice-calls-bench")
        shutil.rmtree(data_dir, ignore_errors=True)
        env = gen_clients.fresh_environment(args.engine, data_dir)
        engine, owned = args.engine, True
    return env | _settings(), engine, owned


def _settings() -> dict:
    return {"FRONTOFFICE_DEBUG": "false", "FRONTOFFICE_EMAIL_URL": "dummy://", "FRONTOFFICE_PERIODIC": "off",
            "FRONTOFFICE_PUBLIC_URL": PUBLIC_URL, "FRONTOFFICE_DEMO": "false"}


def make_office(slug: str):
    """An organisation gen_clients fills, set up through the services as an owner would: open around the
    clock (the measured path is the daytime one), departments with ring groups (the first is the desk), a
    line with a greeting and a menu, the provider's account; the main office has a receptionist too."""
    from frontoffice.calls.services.flows import flow_save
    from frontoffice.calls.services.lines import line_create, ring_group_save
    from frontoffice.calls.services.provider import provider_set
    from frontoffice.core import capabilities as caps
    from frontoffice.core import services
    from frontoffice.core.models import Organization, User

    name, number, owner_email = OFFICES[slug]
    organization, owner = services.organization_create(
        name=name, vertical="medical", owner_email=owner_email, owner_name="Anna Nowak", owner_password=PASSWORD,
        language="pl", site_name="Siedziba")
    Organization.objects.filter(pk=organization.pk).update(slug=slug)
    organization.refresh_from_db()
    owner.organization = organization
    site = organization.sites.get()
    services.site_update(actor=owner, site=site, opening_hours={
        day: [["00:00", "23:59"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")})
    if slug == MAIN:
        receptionist = services.member_invite(actor=owner, email=RECEPTIONIST, full_name="Zofia Wójcik",
                                              roles=[caps.RECEPTIONIST], sites=[site], notify=False)
        user = User.objects.get(pk=receptionist.user_id)
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    departments = list(organization.departments.filter(active=True).order_by("pk"))
    for index, department in enumerate(departments):
        ring_group_save(actor=owner, department=department, strategy="parallel", ring_seconds=20,
                        overflow="voicemail", is_desk=index == 0,
                        targets=[{"member_id": None, "target": f"+4822{organization.pk % 10}55{index:02d}{n:02d}",
                                  "ring_seconds": 15} for n in range(2)])
    line = line_create(actor=owner, number=number, label="Numer główny", site=site)
    flow_save(actor=owner, line=line, flow={
        "greeting_text": "Dzień dobry, tu Przychodnia Benchmarkowa.",
        "menu_prompt": "Rejestracja — wciśnij 1, laboratorium — 2.",
        "menu": {str(n + 1): d.pk for n, d in enumerate(departments[:3])},
        "after_hours_text": "Przychodnia jest zamknięta.", "after_hours_voicemail": True,
        "queue_max_seconds": 300, "voicemail_text": ""})
    provider_set(actor=owner, kind="twilio", account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN)
    return organization


def find_office(slug: str):
    from frontoffice.core.models import Organization

    return Organization.objects.get(slug=slug)


def retire_calls(organization) -> int:
    """The calls the load left behind (thousands, all in the menu: wrk presses no key), ended and moved to
    yesterday, so the switchboard holds an ordinary day when the live update is measured."""
    from datetime import timedelta

    from django.db.models import F
    from django.utils import timezone

    from frontoffice.calls.models import Call

    day = timedelta(days=1)
    return Call.objects.filter(organization=organization).update(
        status="ended", outcome="abandoned", handled_at=timezone.now() - day, offered_at=F("offered_at") - day,
        updated_at=F("updated_at") - day)


# --- the requests -----------------------------------------------------------------------------------

@dataclass
class Caller:
    kind: str
    raw: str
    line: str  # the number called


def callers(organization, count: int, rng: random.Random) -> list[Caller]:
    """``count`` callers in the MIX: random existing clients' numbers, Warsaw landlines nobody has (the
    generator makes mobiles only), and withheld callers as providers send them."""
    from frontoffice.calls.models import Line
    from frontoffice.clients.models import ClientPhone

    line = Line.objects.get(organization=organization).number
    phones = ClientPhone.objects.filter(organization=organization)
    lo = phones.order_by("pk").values_list("pk", flat=True).first()
    hi = phones.order_by("-pk").values_list("pk", flat=True).first()
    wanted = round(count * MIX[0][1])
    existing: list[str] = []
    while len(existing) < wanted:
        chunk = [rng.randint(lo, hi) for _ in range(min(5000, wanted - len(existing)))]
        existing += list(phones.filter(pk__in=chunk).values_list("number", flat=True))
    out = []
    for n in range(count):
        roll = rng.random()
        if roll < MIX[0][1]:
            out.append(Caller(MIX[0][0], existing[n % len(existing)], line))
        elif roll < MIX[0][1] + MIX[1][1]:
            out.append(Caller(MIX[1][0], f"+4822{rng.randrange(10_000_000):07d}", line))
        else:
            out.append(Caller(MIX[2][0], rng.choice(("anonymous", "+266696687", "restricted", "")), line))
    return out


def incoming_params(call_sid: str, caller: Caller) -> dict:
    """The form Twilio posts when a call comes in (the fields that matter, and the usual others)."""
    return {"AccountSid": ACCOUNT_SID, "ApiVersion": "2010-04-01", "CallSid": call_sid, "CallStatus": "ringing",
            "Called": caller.line, "CalledCountry": "PL", "Caller": caller.raw, "CallerCountry": "PL",
            "Direction": "inbound", "From": caller.raw, "FromCountry": "PL", "To": caller.line, "ToCountry": "PL"}


def signed(params: dict) -> tuple[str, str]:
    """(signature, form body) for the voice webhook, signed as the provider signs: the public URL."""
    from twilio.request_validator import RequestValidator

    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_URL + VOICE_PATH, params)
    return signature, urllib.parse.urlencode(params)


class Sids:
    def __init__(self, prefix: str):
        self.prefix, self.n = prefix, 0

    def __call__(self) -> str:
        self.n += 1
        return f"CA{self.prefix}{self.n:0{32 - len(self.prefix)}x}"


def write_pool(path: Path, pool: list[Caller], sids: Sids) -> None:
    with open(path, "w") as out:
        for caller in pool:
            signature, body = signed(incoming_params(sids(), caller))
            out.write(f"{signature}\t{body}\n")


# --- 1. under wrk ---------------------------------------------------------------------------------------

def webhook_load(server, args, data_dir: Path, pool: list[Caller], sids: Sids) -> dict:
    script = data_dir / "voice.lua"
    script.write_text(LUA)
    per_round = args.pool or 1500 * args.duration
    runs: dict = {"baseline": [], "webhook": [], "answered": 0}
    for round_ in range(args.rounds + 1):  # round 0 warms up
        seconds = 2 if round_ == 0 else args.duration
        mark = access_log_size(data_dir)
        base = harness.wrk(server.base + "/bench/trivial", headers={}, threads=args.threads,
                           connections=args.connections, seconds=seconds)
        base.server_ms = server_times(data_dir, mark, "GET /bench/trivial")
        pool_file = data_dir / f"pool_{round_}.txt"
        write_pool(pool_file, [pool[(round_ * per_round + i) % len(pool)] for i in range(per_round)], sids)
        mark = access_log_size(data_dir)
        load = run_wrk(script, server.base, pool_file, args, seconds)
        load.server_ms = server_times(data_dir, mark, f"POST {VOICE_PATH}")
        runs["answered"] += load.requests - load.bad
        if round_ == 0:
            log(f"warm-up: webhook {load.requests_per_s:.0f} calls/s")
            continue
        runs["baseline"].append(base)
        runs["webhook"].append(load)
        log(f"round {round_}/{args.rounds}: bare view {base.requests_per_s:7.0f} req/s p99 {base.p99_ms:6.2f} ms; "
            f"webhook {load.requests_per_s:6.0f} calls/s p99 {load.p99_ms:6.2f} ms"
            + ("" if load.ok else f" BAD {load.bad}"))
    return runs


def access_log_size(data_dir: Path) -> int:
    path = data_dir / ACCESS_LOG
    return path.stat().st_size if path.exists() else 0


def server_times(data_dir: Path, since: int, request: str) -> list[float]:
    """Milliseconds the workers spent on each ``request`` ("POST /path") logged after byte ``since`` of the
    access log (``FRONTOFFICE_ACCESS_LOG``: gunicorn's line ends with the time in microseconds)."""
    with open(data_dir / ACCESS_LOG, "rb") as log_file:
        log_file.seek(since)
        lines = log_file.read().decode(errors="replace").splitlines()
    return [int(line.rsplit(" ", 1)[1]) / 1000 for line in lines if f'"{request}' in line]


def run_wrk(script: Path, base: str, pool_file: Path, args, seconds: int):
    done = subprocess.run([harness.WRK, f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s", "--latency",
                           "-s", str(script), base, "--", str(pool_file), str(args.threads)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"wrk failed: {done.stderr}{done.stdout[:500]}")
    return harness.parse_wrk(done.stdout)


def verify_calls(organization, answered: int, since_id: int) -> str:
    from django.db.models import Count

    from frontoffice.calls.models import Call

    calls = Call.objects.filter(organization=organization, pk__gt=since_id)
    twice = calls.values("sid").annotate(n=Count("id")).filter(n__gt=1).count()
    matched = calls.exclude(client=None).count()
    withheld = calls.filter(from_number="").count()
    return (f"{calls.count():,} calls stored for {answered:,} 2xx answers counted by wrk (the requests in flight "
            f"when a round stops are stored, not counted), {twice} CallSid stored twice; {matched:,} matched to a "
            f"client, {withheld:,} withheld")


# --- 2. in process ----------------------------------------------------------------------------------

def in_process(count: int, pool: list[Caller], sids: Sids) -> dict:
    """Server time of the webhook without the network: Django's test client, perf_counter around each call."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    form = "application/x-www-form-urlencoded"

    def post(request: tuple[str, str]):
        signature, body = request
        return client.post(VOICE_PATH, body, content_type=form, HTTP_X_TWILIO_SIGNATURE=signature)

    def prepared(caller: Caller) -> tuple[str, str]:  # the provider's work: signed before the clock starts
        return signed(incoming_params(sids(), caller))

    first = post(prepared(pool[0]))
    if first.status_code != 200 or b"<Response" not in first.content:
        sys.exit(f"{VOICE_PATH}: HTTP {first.status_code}: {first.content[:500]!r}")
    queries = {}
    for caller in pool[:50]:
        if caller.kind not in queries:
            request = prepared(caller)
            with CaptureQueriesContext(connection) as captured:
                post(request)
            queries[caller.kind] = len(captured)
    times: dict[str, list[float]] = {"webhook": [], "floor": [], "cpu": []}
    by_kind: dict[str, list[float]] = {}
    clock = CpuClock(connection)
    for n in range(count):
        caller = pool[(n + 50) % len(pool)]
        request = prepared(caller)
        started = time.perf_counter()
        client.get("/healthz")
        times["floor"].append((time.perf_counter() - started) * 1000)
        cpu = clock()
        started = time.perf_counter()
        response = post(request)
        elapsed = (time.perf_counter() - started) * 1000
        times["cpu"].append((clock() - cpu) / 1e6)
        if response.status_code != 200:
            sys.exit(f"{VOICE_PATH}: HTTP {response.status_code} in process")
        times["webhook"].append(elapsed)
        by_kind.setdefault(caller.kind, []).append(elapsed)
    return {"times": times, "by_kind": by_kind, "queries": queries, "twiml": first.content.decode()}


# --- 3. live update -------------------------------------------------------------------------------------

@dataclass
class Poller:
    """Polls the switchboard's cheap endpoint every ``interval`` s as the page does, remembering when each
    probe number first appeared."""

    base: str
    cookie: str
    interval: float
    seen: dict = field(default_factory=dict)
    polls: int = 0
    changed: int = 0
    poll_ms: list = field(default_factory=list)

    def __post_init__(self):
        self.stop = threading.Event()
        self.watch: set[str] = set()
        self.version = ""
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        from django.urls import reverse

        from frontoffice.calls.views.switchboard import VERSION_HEADER

        path = reverse("calls:switchboard_live")
        while not self.stop.is_set():
            started = time.perf_counter()
            query = f"?v={urllib.parse.quote(self.version)}" if self.version else ""
            response = harness.fetch(self.base + path + query, headers={"Cookie": self.cookie, "HX-Request": "true"})
            done = time.perf_counter()
            self.polls += 1
            self.poll_ms.append((done - started) * 1000)
            if response.status == 200:
                self.changed += 1
                self.version = response.headers.get(VERSION_HEADER, self.version)
                for digits in list(self.watch):
                    if digits in _digits_only(response.body) and digits not in self.seen:
                        self.seen[digits] = done
            self.stop.wait(max(0.0, self.interval - (time.perf_counter() - started)))


def _digits_only(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit() or ch == "\n")


def live_latency(server, cookie: str, probes: int, interval_ms: int, rng: random.Random, sids: Sids,
                 line: str) -> dict:
    poller = Poller(server.base, cookie, interval_ms / 1000)
    poller.thread.start()
    time.sleep(interval_ms / 1000 * 2)
    latencies, webhook_ms = [], []
    try:
        for _ in range(probes):
            number = f"+4822{rng.randrange(10_000_000):07d}"
            key = number[3:]  # the national digits: however the page formats the number, they are there
            poller.watch.add(key)
            time.sleep(rng.uniform(0.1, interval_ms / 1000 * 1.5))
            signature, body = signed(incoming_params(sids(), Caller("probe", number, line)))
            sent = time.perf_counter()
            response = harness.fetch(server.base + VOICE_PATH, headers={"X-Twilio-Signature": signature},
                                     data=dict(urllib.parse.parse_qsl(body, keep_blank_values=True)))
            webhook_ms.append((time.perf_counter() - sent) * 1000)
            if response.status != 200:
                sys.exit(f"live probe: the webhook answered HTTP {response.status}: {response.body[:300]}")
            deadline = time.perf_counter() + 5
            while key not in poller.seen and time.perf_counter() < deadline:
                time.sleep(0.005)
            if key not in poller.seen:
                sys.exit("live probe: the switchboard poll did not show the call within 5 s")
            latencies.append((poller.seen[key] - sent) * 1000)
    finally:
        poller.stop.set()
        poller.thread.join(timeout=5)
    return {"latency": latencies, "webhook": webhook_ms, "polls": poller.polls, "changed": poller.changed,
            "poll_ms": poller.poll_ms}


def live_under_load(server, cookie: str, args, data_dir: Path, pool: list[Caller], sids: Sids,
                    rng: random.Random, line: str) -> tuple[dict, object]:
    """The live probes while wrk loads the webhook in the background — the second organisation's line, so
    the thousands of calls it leaves in the menu do not fill the measured switchboard."""
    seconds = max(5, int(args.probes * args.poll_ms / 1000 * 1.2) + 3)
    pool_file = data_dir / "pool_live.txt"
    write_pool(pool_file, [pool[i % len(pool)] for i in range(1500 * seconds)], sids)
    result: dict = {}
    background = threading.Thread(target=lambda: result.setdefault(
        "load", run_wrk(data_dir / "voice.lua", server.base, pool_file, args, seconds)))
    background.start()
    time.sleep(1)
    live = live_latency(server, cookie, args.probes, args.poll_ms, rng, sids, line)
    background.join()
    return live, result.get("load")


# --- the report -------------------------------------------------------------------------------------

def pct(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(args, engine: str, clients: int, runs: dict, stored: str, proc: dict, idle: dict, loaded: dict,
           loaded_wrk, load_before: str, load_after: str) -> int:
    title = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[engine]
    ratios = [w.requests_per_s / b.requests_per_s for b, w in zip(runs["baseline"], runs["webhook"])]
    middle = sorted(range(len(ratios)), key=lambda i: runs["webhook"][i].requests_per_s)[len(ratios) // 2]
    base, hook = runs["baseline"][middle], runs["webhook"][middle]
    mix = ", ".join(f"{share:.0%} {kind}" for kind, share in MIX)
    print(f"{title}: {clients:,} clients in the called organisation (`bench/gen_clients.py`), one line with a "
          f"greeting and a menu, open now. gunicorn {args.workers} sync workers (`frontoffice serve` options, DEBUG "
          f"off); wrk -t{args.threads} -c{args.connections} -d{args.duration}s on the same machine; {args.rounds} "
          f"interleaved rounds after a warm-up, the round with the median webhook rate shown. Every webhook is a new "
          f"call signed by the provider's token over the public URL `{PUBLIC_URL}{VOICE_PATH}` (the app is reached "
          f"on 127.0.0.1, as behind a TLS proxy); callers: {mix}. Load: {load_before} before, {load_after} after.")
    print()
    print("The p50/p99 columns are wrk's (client side: with the wait for a free worker, 4 connections on 2 workers); "
          "the server columns are the time the worker spent on each request, from gunicorn's access log "
          "(`FRONTOFFICE_ACCESS_LOG`), for every request of the round.")
    print()
    print("| endpoint | req/s | p50 ms | p99 ms | server p50 ms | server p99 ms | ÷ bare view |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print(f"| bare view `/bench/trivial` (**baseline**) | {base.requests_per_s:,.0f} | {base.p50_ms:.2f} | "
          f"{base.p99_ms:.2f} | {statistics.median(base.server_ms):.2f} | {pct(base.server_ms, 99):.2f} | 1.00 |")
    print(f"| `POST {VOICE_PATH}` (incoming call) | {hook.requests_per_s:,.0f} | {hook.p50_ms:.2f} | "
          f"{hook.p99_ms:.2f} | {statistics.median(hook.server_ms):.2f} | {pct(hook.server_ms, 99):.2f} | "
          f"{statistics.median(ratios):.2f} ({min(ratios):.2f}–{max(ratios):.2f}) |")
    print()
    print(f"After the run: {stored}.")
    print()
    web, floor, cpu = proc["times"]["webhook"], proc["times"]["floor"], proc["times"]["cpu"]
    queries = ", ".join(f"{kind} {n}" for kind, n in proc["queries"].items())
    print(f"In process (Django's test client, no network, no queueing; {len(web):,} webhooks, each after a "
          f"`GET /healthz`): server time per request, wall clock; and its CPU time, which waiting for a busy CPU "
          f"does not inflate. Queries per webhook: {queries}.")
    print()
    print("| request | p50 ms | p95 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|")
    print(f"| `GET /healthz` (**baseline**: the same client's floor) | {statistics.median(floor):.2f} | "
          f"{pct(floor, 95):.2f} | {pct(floor, 99):.2f} | {max(floor):.2f} |")
    print(f"| `POST {VOICE_PATH}`, all callers | {statistics.median(web):.2f} | {pct(web, 95):.2f} | "
          f"{pct(web, 99):.2f} | {max(web):.2f} |")
    for kind, values in proc["by_kind"].items():
        print(f"| … {kind} ({len(values):,}) | {statistics.median(values):.2f} | {pct(values, 95):.2f} | "
              f"{pct(values, 99):.2f} | {max(values):.2f} |")
    print(f"| … its CPU time (this thread + the database backend's) | {statistics.median(cpu):.2f} | "
          f"{pct(cpu, 95):.2f} | {pct(cpu, 99):.2f} | {max(cpu):.2f} |")
    print()
    print(f"Live update: a receptionist's poll of `calls:switchboard_live` every {args.poll_ms} ms over HTTP (as the "
          f"page does, sending the version it last saw); a call posted at a random moment; time from sending the "
          f"webhook to the end of the first poll that lists the call, {args.probes} probes each. Before it, the "
          f"calls the load left in the menu (wrk presses no key) are ended and moved to yesterday, so the board "
          f"holds an ordinary day.")
    print()
    print("| when | p50 ms | p95 ms | max ms | webhook p50 ms | poll p50 ms | polls (changed) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, live in (("idle server", idle), ("while wrk loads the webhook (another organisation's line)", loaded)):
        lat = live["latency"]
        print(f"| {name} | {statistics.median(lat):.0f} | {pct(lat, 95):.0f} | {max(lat):.0f} | "
              f"{statistics.median(live['webhook']):.1f} | {statistics.median(live['poll_ms']):.1f} | "
              f"{live['polls']} ({live['changed']}) |")
    if loaded_wrk is not None:
        print()
        print(f"(The load during the second row: {loaded_wrk.requests_per_s:,.0f} calls/s, p99 {loaded_wrk.p99_ms:.1f} ms.)")
    print()
    live_max = max(max(idle["latency"]), max(loaded["latency"]))
    print(f"Targets (issue): webhook ≥ {RATE_TARGET} calls/s — {hook.requests_per_s:,.0f} "
          f"{verdict(hook.requests_per_s >= RATE_TARGET)}; p99 < {P99_TARGET_MS:g} ms server side — under load "
          f"{pct(hook.server_ms, 99):.1f} {verdict(pct(hook.server_ms, 99) < P99_TARGET_MS)}, in process "
          f"{pct(web, 99):.1f} {verdict(pct(web, 99) < P99_TARGET_MS)} (client side under wrk, with the wait for a "
          f"worker: {hook.p99_ms:.1f}); live update < {LIVE_TARGET_MS:g} ms — max "
          f"{live_max:.0f} {verdict(live_max < LIVE_TARGET_MS)}.")
    bad = [load for load in runs["webhook"] + runs["baseline"] if not load.ok]
    if bad:
        print("\nERROR: non-2xx answers or socket errors under load")
        return 1
    return 0


def main(argv=None) -> int:
    args = parse_args(argv)
    if not Path(harness.WRK).exists():
        sys.exit("wrk is not installed (apt-get install -y wrk)")
    env, engine, owned = prepare(args)
    gen_clients.setup_django(env)
    from django.db import connection

    from frontoffice.calls.models import Call
    from frontoffice.clients.models import Client

    rng = random.Random(args.seed)
    data_dir = Path(env["FRONTOFFICE_DATA_DIR"])
    try:
        if args.reuse:
            organization, other = find_office(MAIN), find_office(OTHER)
            log(f"reusing the offices: {organization.clients.count():,} clients")
        else:
            if Client.objects.exists():
                sys.exit("the database already holds clients: give a fresh one (or --reuse)")
            log("setting up the offices through the services")
            organization, other = make_office(MAIN), make_office(OTHER)
            log(f"{engine}: generating {args.clients:,} + {args.other:,} clients")
            stats = gen_clients.generate(args.clients, other=args.other)
            log(f"{engine}: generated in {stats['seconds']:.0f} s")
        clients = Client.objects.filter(organization=organization).count()
        pool, other_pool = callers(organization, 20_000, rng), callers(other, 5_000, rng)
        sids = Sids(f"{int(time.time()):x}")
        log(f"timing {args.in_process:,} webhooks in process")
        proc = in_process(args.in_process, pool, sids)
        since = Call.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        connection.close()
        load_before = harness.machine_load()
        env["FRONTOFFICE_ACCESS_LOG"] = str(data_dir / ACCESS_LOG)  # the workers' own time per request
        with harness.Server(env=env, workers=args.workers, log_path=data_dir / "bench_calls_server.log") as server:
            log(f"serving on {server.base}; loading")
            runs = webhook_load(server, args, data_dir, pool, sids)
            stored = verify_calls(organization, runs["answered"], since)
            log(f"{retire_calls(organization):,} calls of the load ended and moved to yesterday")
            connection.close()
            cookie = harness.sign_in(server.base, RECEPTIONIST, PASSWORD)
            line = pool[0].line
            log("live update on the idle server")
            idle = live_latency(server, cookie, args.probes, args.poll_ms, rng, sids, line)
            log("live update under webhook load (on the other organisation's line)")
            loaded, loaded_wrk = live_under_load(server, cookie, args, data_dir, other_pool, sids, rng, line)
        load_after = harness.machine_load()
    finally:
        connection.close()
        if owned and not args.keep:
            if engine == "postgres":
                gen_clients.drop_postgres()
            shutil.rmtree(data_dir, ignore_errors=True)
        elif owned:
            log(f"kept: FRONTOFFICE_DATA_DIR={data_dir}; measure again with --reuse")
    return report(args, engine, clients, runs, stored, proc, idle, loaded, loaded_wrk, load_before, load_after)


if __name__ == "__main__":
    sys.exit(main())
