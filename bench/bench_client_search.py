"""Search-as-you-type and call-routing phone lookup over 1,000,000 clients, beside Django's naive
``icontains`` and the raw SQL of our own queries, on SQLite and on PostgreSQL.

What is measured, per engine, in one process run over one freshly generated database
(``gen_clients.py``: 1,000,000 clients in one organisation, 50,000 in another):

* **ours** — ``clients.queries.client_search(org, q)`` (the real code path: exact contacts, name prefix,
  word prefix, substring buckets; page 1, 20 results, phones and e-mails prefetched), server time =
  ``perf_counter`` around the call, nothing excluded;
* **raw SQL** — the very statements that call sent (captured once per query with
  ``connection.execute_wrapper``: SQL and parameters as the driver got them), replayed through a bare
  cursor with ``fetchall()``: the database-only time of the same work. Ratio ours / raw = what Django
  and our Python cost on top;
* **naive** — ``Client.objects.filter(organization=org).filter(Q(first_name__icontains=q) |
  Q(last_name__icontains=q) | Q(organization_name__icontains=q) | Q(phones__number__icontains=q) |
  Q(emails__email__icontains=q)).distinct()[:20]``, on an evenly spread sample of the queries (it takes
  seconds per query at this size). Ratio naive / ours on the same sample;
* **phone lookup** — ``list(search.by_phone(org, e164))`` for 10,000 random existing numbers, beside
  its own SQL replayed raw.

The query mix is what a receptionist types, one request per keystroke, for clients picked at random
from the database: surnames letter by letter (with and without their diacritics) then the first name,
first name then surname, diacritic-free names ("zolw", "lodz"), phone numbers digit by digit and in
full in several formats ("+48…", "600-100-200", the last 6 digits), e-mail addresses, PESEL numbers,
patient numbers, organisation names, a few mid-word fragments and typos that find nothing. Every
figure is printed per query class and overall (p50 / p95 / p99). Each query is run once to warm up,
then ``--rounds`` times interleaved with its raw replay.

The machine may be shared: the load average is printed with the results, and beside the wall-clock
server time each query's CPU time is shown too (this process's thread CPU plus, on PostgreSQL, the
backend's CPU from ``/proc/<pid>/schedstat``), which waiting for a busy CPU does not inflate.

    python bench/run.py client_search --record                          # SQLite, 1,000,000 clients
    python bench/run.py client_search --record \
        --database-url postgres://postgres@127.0.0.1:5432/bench_client_search
    python bench/bench_client_search.py                  # alone: both engines, each in a fresh database
    python bench/bench_client_search.py --engine postgres --clients 100000 --keep
    python bench/bench_client_search.py --engine sqlite --reuse /tmp/d  # a folder gen_clients.py filled

Under run.py (FRONTOFFICE_DATA_DIR set) the database of the environment is used — it must be empty; it
is migrated, filled by gen_clients.py and left to the runner. Alone, SQLite gets a temporary data folder
and PostgreSQL the database ``bench_search`` (dropped and created), removed afterwards unless --keep.
Result lines (Markdown) go to stdout, progress to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
import gen_clients  # noqa: E402
from harness import log, machine_load  # noqa: E402

TARGET_P95_MS = 25.0
TARGET_PHONE_P99_MS = 2.0


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("sqlite", "postgres", "both"),
                        help="alone: which engine(s), default both; under run.py the environment decides")
    parser.add_argument("--clients", type=int, default=1_000_000, help="clients of the searched organisation")
    parser.add_argument("--other", type=int, default=50_000, help="clients of the second organisation")
    parser.add_argument("--rounds", type=int, default=2, help="measured rounds over the query mix (default 2)")
    parser.add_argument("--sessions", type=float, default=1.0,
                        help="scale the number of typing sessions in the mix (default 1.0 ≈ 2,000 queries)")
    parser.add_argument("--naive", type=int, default=20, help="queries sampled for the naive baseline (default 20)")
    parser.add_argument("--phones", type=int, default=10_000, help="numbers for the phone lookup (default 10,000)")
    parser.add_argument("--reuse", metavar="DATA_DIR",
                        help="use this already generated data folder (SQLite) / the existing bench_search "
                             "database (PostgreSQL) instead of generating")
    parser.add_argument("--keep", action="store_true", help="keep the generated data folder / database")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON here")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args(argv)


# --- the query mix --------------------------------------------------------------------------------

@dataclass
class Query:
    cls: str
    text: str
    ours: list[float] = field(default_factory=list)     # ms, wall
    ours_cpu: list[float] = field(default_factory=list)
    raw: list[float] = field(default_factory=list)
    naive: float | None = None
    statements: list = field(default_factory=list)
    found: int = 0


def typed(text: str, start: int = 1) -> list[str]:
    """Every state of the search box while ``text`` is typed, one request per key (blank ones skipped)."""
    return [text[:i] for i in range(start, len(text) + 1) if text[:i].strip()]


def national(e164: str) -> str:
    digits = e164[3:]
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


def build_mix(org, rng: random.Random, scale: float) -> list[Query]:
    from frontoffice.clients.models import Client
    from frontoffice.core.text import fold

    ids = list(Client.objects.filter(organization=org).values_list("pk", flat=True).order_by("pk"))
    first_id, last_id = ids[0], ids[-1]

    def pick(n, **filters):
        chosen, tries = [], 0
        while len(chosen) < n and tries < n * 200:
            tries += 1
            pk = rng.randint(first_id, last_id)
            client = Client.objects.filter(pk=pk, organization=org, archived=False, merged_into__isnull=True,
                                           **filters).prefetch_related("phones", "emails").first()
            if client is not None:
                chosen.append(client)
        return chosen

    def count(n):
        return max(1, round(n * scale))

    mix: list[Query] = []

    def add(cls_for, texts):
        for text in texts:
            mix.append(Query(cls_for(text), text))

    def name_cls(kind):
        return lambda t: "name, 1–2 letters" if len(t.strip()) <= 2 else kind

    for client in pick(count(60), kind="person"):  # surname, then the first name
        surname = client.last_name if rng.random() < 0.5 else fold(client.last_name)
        add(name_cls("surname letter by letter"), typed(surname))
        add(lambda t: "surname + first name", typed(f"{surname} {client.first_name}", len(surname) + 2)[:3])
    for client in pick(count(30), kind="person"):  # first name, then the surname
        first = client.first_name if rng.random() < 0.5 else fold(client.first_name)
        add(name_cls("first name letter by letter"), typed(first))
        add(lambda t: "first name + surname", typed(f"{first} {client.last_name}", len(first) + 2)[:4])
    for client in pick(count(20), kind="person", last_name__regex=r"[ąćęłńóśźżĄĆĘŁŃÓŚŹŻ]"):
        add(name_cls("diacritic-free name"), typed(fold(client.last_name))[:6])
    add(lambda t: "diacritic-free name", ["zolw", "lodz", "zolwinska", "slusarczyk", "gesiak", "swiatek"])
    for client in pick(count(30)):  # phone digit by digit, grouped as people say it
        if client.phones.all():
            add(lambda t: "phone, under 6 digits" if sum(c.isdigit() for c in t) < 6 else "phone, 6+ digits",
                typed(national(client.phones.all()[0].number)))
    for client in pick(count(20)):  # whole numbers pasted in other formats, and the last six digits
        if client.phones.all():
            e164 = client.phones.all()[0].number
            d = e164[3:]
            fmt = rng.choice((e164, f"{d[:3]}-{d[3:6]}-{d[6:]}", f"0048 {d[:3]} {d[3:6]} {d[6:]}",
                              f"(+48) {d}", d[-6:]))
            add(lambda t: "phone, whole number", [fmt])
    for client in pick(count(20), emails__isnull=False):
        if client.emails.all():
            email = client.emails.all()[0].email
            add(lambda t: "e-mail", typed(email, 3)[:: 3] + [email])
    for client in pick(count(15), identifier_rows__scheme="pesel"):
        pesel = client.identifiers["pesel"]
        add(lambda t: "PESEL", typed(pesel)[2::2] + [pesel])
    for client in pick(count(10), identifier_rows__scheme="patient_no"):
        add(lambda t: "patient number", typed(client.identifiers["patient_no"], 3))
    for client in pick(count(15), kind="organization"):
        add(name_cls("organisation name"), typed(client.organization_name)[:12])
    for client in pick(count(10), kind="person"):  # a fragment from inside the surname
        name = fold(client.last_name)
        if len(name) >= 6:
            add(lambda t: "mid-word fragment", [name[2:6], name[1:5]])
    add(lambda t: "nothing found", ["kowzlski", "qwerty", "zzyzx", "nowak xq", "601 999 9", "brzęczyszczykiewicz"])
    return mix


# --- measuring --------------------------------------------------------------------------------

class CpuClock:
    """CPU time of this thread plus, on PostgreSQL, of the database backend serving this connection."""

    def __init__(self, connection):
        self.backend = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pid = cursor.fetchone()[0]
            path = Path(f"/proc/{pid}/schedstat")
            if path.exists():
                self.backend = path

    def __call__(self) -> int:
        ns = time.thread_time_ns()
        if self.backend is not None:
            ns += int(self.backend.read_text().split()[0])
        return ns


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def capture(connection, call) -> list[tuple[str, object]]:
    statements = []

    def wrapper(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        call()
    return statements


def replay(connection, statements) -> float:
    """Run the captured statements through a bare cursor; ms."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            cursor.fetchall()
    return (time.perf_counter() - started) * 1000


def naive_search(org, q: str) -> list:
    from django.db.models import Q

    from frontoffice.clients.models import Client

    return list(Client.objects.filter(organization=org).filter(
        Q(first_name__icontains=q) | Q(last_name__icontains=q) | Q(organization_name__icontains=q)
        | Q(phones__number__icontains=q) | Q(emails__email__icontains=q)).distinct()[:20])


def measure_search(org, mix: list[Query], rounds: int, naive_sample: int) -> None:
    from django.db import connection

    from frontoffice.clients import queries

    clock = CpuClock(connection)
    log(f"warming up: {len(mix)} queries")
    for query in mix:
        page = queries.client_search(org, query.text)
        query.found = len(page.items)
        query.statements = capture(connection, lambda q=query.text: queries.client_search(org, q))
    for round_ in range(rounds):
        log(f"round {round_ + 1}/{rounds}: ours and raw SQL, interleaved ({machine_load()})")
        order = list(mix)
        random.Random(round_).shuffle(order)
        for query in order:
            cpu0 = clock()
            t0 = time.perf_counter()
            queries.client_search(org, query.text)
            t1 = time.perf_counter()
            cpu1 = clock()
            query.ours.append((t1 - t0) * 1000)
            query.ours_cpu.append((cpu1 - cpu0) / 1e6)
            query.raw.append(replay(connection, query.statements))
    if naive_sample <= 0:
        return
    step = max(1, len(mix) // naive_sample)
    sample = mix[step // 2::step][:naive_sample]
    log(f"naive icontains over {len(sample)} sampled queries ({machine_load()})")
    for n, query in enumerate(sample, 1):
        t0 = time.perf_counter()
        naive_search(org, query.text)
        query.naive = (time.perf_counter() - t0) * 1000
        if n % 10 == 0:
            log(f"  naive {n}/{len(sample)}")


def measure_phones(org, count: int, rng: random.Random) -> dict:
    from django.db import connection

    from frontoffice.clients import search
    from frontoffice.clients.models import ClientPhone

    ids = ClientPhone.objects.filter(organization=org).order_by("pk").values_list("pk", flat=True)
    lo, hi = ids.first(), ids.last()
    numbers = []
    while len(numbers) < count:
        chunk = [rng.randint(lo, hi) for _ in range(min(2000, count - len(numbers)))]
        numbers += list(ClientPhone.objects.filter(pk__in=chunk, organization=org).values_list("number", flat=True))
    numbers = numbers[:count]
    sql, params = search.by_phone_query(org.pk, numbers[0]).query.sql_with_params()
    where = params.index(numbers[0])
    clock = CpuClock(connection)
    ours, cpu, raw, found = [], [], [], 0
    for number in numbers[:500]:  # warm-up
        list(search.by_phone(org, number))
    log(f"phone lookup: {len(numbers)} numbers ({machine_load()})")
    with connection.cursor() as cursor:
        for number in numbers:
            c0 = clock()
            t0 = time.perf_counter()
            rows = list(search.by_phone(org, number))
            t1 = time.perf_counter()
            c1 = clock()
            ours.append((t1 - t0) * 1000)
            cpu.append((c1 - c0) / 1e6)
            found += bool(rows)
            args = list(params)
            args[where] = number
            t0 = time.perf_counter()
            cursor.execute(sql, args)
            cursor.fetchall()
            raw.append((time.perf_counter() - t0) * 1000)
    return {"numbers": len(numbers), "found": found, "ours": ours, "cpu": cpu, "raw": raw}


# --- reporting ----------------------------------------------------------------------------------

def summarize(mix: list[Query]) -> dict:
    classes: dict[str, list[Query]] = {}
    for query in mix:
        classes.setdefault(query.cls, []).append(query)
    classes["all queries"] = mix
    table = {}
    for cls, rows in classes.items():
        ours = [t for q in rows for t in q.ours]
        cpu = [t for q in rows for t in q.ours_cpu]
        raw = [t for q in rows for t in q.raw]
        table[cls] = {"queries": len(rows), "samples": len(ours),
                      "p50": percentile(ours, 50), "p95": percentile(ours, 95), "p99": percentile(ours, 99),
                      "max": max(ours), "cpu_p50": percentile(cpu, 50), "cpu_p95": percentile(cpu, 95),
                      "raw_p50": percentile(raw, 50), "raw_p95": percentile(raw, 95)}
    sample = [q for q in mix if q.naive is not None]
    naive = [q.naive for q in sample] or [float("nan")]
    ours_sample = [statistics.median(q.ours) for q in sample]
    table["naive"] = {"queries": len(sample), "p50": percentile(naive, 50), "p95": percentile(naive, 95),
                      "max": max(naive),
                      "ours_p50": percentile(ours_sample, 50) if sample else float("nan"),
                      "ours_p95": percentile(ours_sample, 95) if sample else float("nan"),
                      "per_query_ratio_median": statistics.median(n / o for n, o in zip(naive, ours_sample))
                      if sample else float("nan")}
    return table


def print_report(engine: str, clients: int, stats: dict, table: dict, phones: dict, slowest: list[Query],
                 mix: list[Query], rounds: int, loads: list[str]) -> None:
    def out(line: str = "") -> None:
        print(line, flush=True)

    title = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[engine]
    generated = ""
    if stats.get("seconds"):
        generated = (f"; generated by `bench/gen_clients.py` in {stats['seconds']:.0f} s ({stats['clients']:,} clients "
                     f"in all, {stats['phones']:,} phones, {stats['emails']:,} e-mails, {stats['identifiers']:,} "
                     "identifiers, then ANALYZE)")
    out(f"{title}: {clients:,} clients in the searched organisation{generated}. {len(mix):,} queries typed key by "
        f"key (one request per key) for clients picked at random, run once to warm up, then {rounds} measured "
        "round(s) in shuffled order, each call followed by the raw replay of its own SQL. Server time = "
        "`perf_counter` around `queries.client_search(org, q)` (page 1 of 20, phones and e-mails prefetched); CPU = "
        "this thread's CPU time" + (" + the PostgreSQL backend's (`/proc/PID/schedstat`)" if engine == "postgres"
                                    else "") + ", which waiting for a busy CPU does not inflate.")
    out(f"Load during the run: {'; '.join(loads)}.")
    out()
    out("| query class | queries | p50 ms | p95 ms | p99 ms | max ms | CPU p50 | CPU p95 | raw SQL p50 | raw SQL p95 |")
    out("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for cls, row in table.items():
        if cls == "naive":
            continue
        name = f"**{cls}**" if cls == "all queries" else cls
        out(f"| {name} | {row['queries']:,} | {row['p50']:.2f} | {row['p95']:.2f} | {row['p99']:.2f} | "
            f"{row['max']:.1f} | {row['cpu_p50']:.2f} | {row['cpu_p95']:.2f} | {row['raw_p50']:.2f} | "
            f"{row['raw_p95']:.2f} |")
    total, naive = table["all queries"], table["naive"]
    out()
    verdict = "PASS" if total["p95"] < TARGET_P95_MS else "FAIL"
    out(f"- Target (issue): search-as-you-type p95 < {TARGET_P95_MS:.0f} ms — **p95 {total['p95']:.2f} ms: {verdict}** "
        f"(CPU p95 {total['cpu_p95']:.2f} ms).")
    out(f"- Ratio (a) naive `icontains` (OR over names, phones, e-mails, `.distinct()[:20]`) ÷ ours, on "
        f"{naive['queries']} queries sampled evenly from the mix (the naive query takes seconds each, so not all): "
        f"p50 {naive['p50']:,.0f} ÷ {naive['ours_p50']:.2f} ms = **{naive['p50'] / naive['ours_p50']:,.0f}×**, "
        f"p95 {naive['p95']:,.0f} ÷ {naive['ours_p95']:.2f} ms = **{naive['p95'] / naive['ours_p95']:,.0f}×** "
        f"(median of the per-query ratios {naive['per_query_ratio_median']:,.0f}×; slowest naive "
        f"{naive['max']:,.0f} ms).")
    out(f"- Ratio (b) ours ÷ the raw SQL of our own statements (same statements and parameters, bare cursor, "
        f"`fetchall`): p50 {total['p50']:.2f} ÷ {total['raw_p50']:.2f} ms = **{total['p50'] / total['raw_p50']:.2f}×**, "
        f"p95 {total['p95']:.2f} ÷ {total['raw_p95']:.2f} ms = **{total['p95'] / total['raw_p95']:.2f}×**.")
    ours, raw, cpu = phones["ours"], phones["raw"], phones["cpu"]
    p99 = percentile(ours, 99)
    out(f"- Phone lookup by exact E.164 (`list(search.by_phone(org, e164))`, call routing), {phones['numbers']:,} "
        f"random existing numbers ({phones['found']:,} found a live client): p50 {percentile(ours, 50):.3f} ms, "
        f"**p99 {p99:.3f} ms: {'PASS' if p99 < TARGET_PHONE_P99_MS else 'FAIL'}** (target p99 < "
        f"{TARGET_PHONE_P99_MS:.0f} ms; CPU p99 {percentile(cpu, 99):.3f} ms); its raw SQL p50 "
        f"{percentile(raw, 50):.3f} ms, p99 {percentile(raw, 99):.3f} ms.")
    out("- Slowest queries (median of the rounds, ms): " + ", ".join(
        f"`{q.text}` {statistics.median(q.ours):.1f}" for q in slowest) + ".")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


# --- one engine ----------------------------------------------------------------------------------

def prepare(args) -> tuple[dict, str, bool]:
    """(environment, engine, whether this script made the database and removes it)."""
    if args.reuse:
        engine = args.engine if args.engine in ("sqlite", "postgres") else "sqlite"
        env = dict(os.environ, FRONTOFFICE_DATA_DIR=args.reuse, FRONTOFFICE_DEBUG="false")
        if engine == "postgres":
            env["FRONTOFFICE_DATABASE_URL"] = f"{gen_clients.PG_ADMIN}/{gen_clients.PG_DATABASE}"
        else:
            env.pop("FRONTOFFICE_DATABASE_URL", None)
        return env, engine, False
    if os.environ.get("FRONTOFFICE_DATA_DIR"):  # run.py (or the caller) chose the database
        url = os.environ.get("FRONTOFFICE_DATABASE_URL", "")
        engine = "postgres" if url.startswith(("postgres", "pgsql")) else "sqlite"
        if args.engine not in (None, engine):
            sys.exit(f"--engine {args.engine}: the environment's database is {engine}")
        env = dict(os.environ, FRONTOFFICE_DEBUG="false")
        gen_clients.migrate(env)
        return env, engine, False
    return gen_clients.fresh_environment(args.engine), args.engine, True


def run_engine(args) -> dict:
    env, engine, owned = prepare(args)
    gen_clients.setup_django(env)
    from frontoffice.clients.models import Client
    from frontoffice.core.models import Organization

    stats: dict = {}
    if not args.reuse:
        if Client.objects.exists():
            sys.exit("the database already holds clients: give a fresh one (or --reuse a generated one)")
        log(f"{engine}: generating {args.clients:,} + {args.other:,} clients")
        stats = gen_clients.generate(args.clients, other=args.other)
        log(f"{engine}: generated in {stats['seconds']:.0f} s")
    org = Organization.objects.get(slug="bench-search")
    clients = org.clients.count()
    rng = random.Random(args.seed)
    mix = build_mix(org, rng, args.sessions)
    log(f"{engine}: {len(mix)} queries in the mix")
    loads = [f"{machine_load()} at the start"]
    measure_search(org, mix, args.rounds, args.naive)
    loads.append(f"{machine_load()} after the search rounds")
    phones = measure_phones(org, args.phones, rng)
    loads.append(f"{machine_load()} at the end")
    table = summarize(mix)
    slowest = sorted(mix, key=lambda q: -statistics.median(q.ours))[:8]
    print_report(engine, clients, stats, table, phones, slowest, mix, args.rounds, loads)
    result = {"engine": engine, "clients": clients, "generation": stats, "load": loads, "classes": table,
              "phone": {"numbers": phones["numbers"], "found": phones["found"],
                        "p50": percentile(phones["ours"], 50), "p99": percentile(phones["ours"], 99),
                        "cpu_p99": percentile(phones["cpu"], 99), "raw_p50": percentile(phones["raw"], 50),
                        "raw_p99": percentile(phones["raw"], 99)},
              "slowest": [(q.text, q.cls, statistics.median(q.ours)) for q in slowest]}
    if owned and not args.keep:
        from django.db import connection

        connection.close()
        if engine == "postgres":
            gen_clients.drop_postgres()
        else:
            import shutil

            shutil.rmtree(env["FRONTOFFICE_DATA_DIR"], ignore_errors=True)
    elif owned:
        log(f"kept: FRONTOFFICE_DATA_DIR={env['FRONTOFFICE_DATA_DIR']}"
            + (f" FRONTOFFICE_DATABASE_URL={env['FRONTOFFICE_DATABASE_URL']}" if engine == "postgres" else ""))
    return result


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.engine is None and not os.environ.get("FRONTOFFICE_DATA_DIR") and not args.reuse:
        args.engine = "both"
    if args.engine == "both":
        if args.reuse:
            sys.exit("--reuse names one engine's data: give --engine sqlite or --engine postgres with it")
        for engine in ("sqlite", "postgres"):
            command = [sys.executable, __file__, "--engine", engine, "--clients", str(args.clients),
                       "--other", str(args.other), "--rounds", str(args.rounds), "--sessions", str(args.sessions),
                       "--naive", str(args.naive), "--phones", str(args.phones), "--seed", str(args.seed)]
            command += ["--keep"] if args.keep else []
            command += ["--json", str(Path(args.json).with_suffix(f".{engine}.json"))] if args.json else []
            done = subprocess.run(command)
            if done.returncode != 0:
                sys.exit(f"{engine}: the benchmark failed ({done.returncode})")
        return
    result = run_engine(args)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1, default=str))


if __name__ == "__main__":
    main()
