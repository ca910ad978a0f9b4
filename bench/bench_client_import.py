"""Client import: 100,000 spreadsheet rows, dry run and commit, beside one ``client_create`` per row.

The issue's target: 100,000 rows in under 60 s on SQLite, indexing included. The file is a CSV of
generated Polish clients (``clients.demo.fake_people``: names with diacritics, valid phones and PESELs,
e-mails, addresses, tags), headed in Polish so the column guessing is part of the run, imported into a fresh organisation:

- dry run: read the file, map the columns, validate every row, look for duplicates — writes nothing;
- commit: the same, then the one transaction of bulk inserts (clients, phones, e-mails, identifiers,
  SQLite full-text rows, a ``client.created`` activity per client, one ``client.imported``);
- baseline: the naive way — ``services.client_create`` once per row (each its own transaction, with its
  own validation, indexing and activity) for the first ``--baseline-rows`` rows, extrapolated.

    python bench/run.py client_import --record                       # SQLite, recorded in RESULTS.md
    python bench/run.py client_import --record \
        --database-url postgres://postgres@127.0.0.1:5432/bench_client_import
    python bench/bench_client_import.py --rows 20000                   # alone: its own data folder
    python bench/bench_client_import.py --database-url postgres://…/DB  # alone, on an existing database

Each run measures one engine: the database of FRONTOFFICE_DATABASE_URL (or --database-url), else SQLite
in FRONTOFFICE_DATA_DIR (a temporary folder when that is not set either). The run migrates the database
and adds one organisation (slug ``bench-import-…``) with the imported clients. Wall-clock time suffers
when the machine is shared; this process's CPU time is printed beside it (PostgreSQL's own work runs in
its server process and shows only in the wall time).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
from harness import log, machine_load

TARGET_SECONDS = 60
HEADER = ["Lp.", "Imię", "Nazwisko", "Nazwa firmy", "Data urodzenia", "Telefon", "E-mail", "Ulica", "Kod pocztowy",
          "Miasto", "PESEL", "NIP", "Numer pacjenta", "Tagi"]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows in the file (default 100,000)")
    parser.add_argument("--baseline-rows", type=int, default=2_000,
                        help="rows imported one client_create at a time for the baseline (default 2,000)")
    parser.add_argument("--database-url", help="measure this database (default: FRONTOFFICE_DATABASE_URL, else SQLite)")
    return parser.parse_args(argv)


def make_csv(rows: int) -> bytes:
    """The spreadsheet a clinic would export from its old system (semicolons, Polish headers)."""
    from frontoffice.clients import demo

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(HEADER)
    chunk = 10_000
    for start in range(0, rows, chunk):
        for n, person in enumerate(demo.fake_people(min(chunk, rows - start), start=start), start=start + 1):
            ids = person.identifiers
            writer.writerow([n, person.first_name, person.last_name, person.organization_name,
                             person.date_of_birth.strftime("%d.%m.%Y") if person.date_of_birth else "",
                             ", ".join(person.phones), ", ".join(person.emails), person.street, person.postal_code,
                             person.city, ids.get("pesel", ""), ids.get("nip", ""), ids.get("patient_no", ""),
                             ", ".join(person.tags)])
    return buffer.getvalue().encode("utf-8")


# --- the measurement ----------------------------------------------------------------------------

def run_engine(args) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontoffice.settings")
    import django

    django.setup()
    from django.core.exceptions import ValidationError
    from django.core.management import call_command
    from django.db import connection

    from frontoffice.clients import importing, services
    from frontoffice.clients.importing.checking import row_input
    from frontoffice.clients.models import Client
    from frontoffice.core import services as core_services
    from frontoffice.core.models import Organization

    call_command("migrate", verbosity=0)
    stamp = time.strftime("%Y%m%d%H%M%S")
    organization, owner = core_services.organization_create(
        name=f"Bench import {stamp}", vertical="medical", owner_email=f"bench-import-{stamp}@example.com")
    Organization.objects.filter(pk=organization.pk).update(slug=f"bench-import-{stamp}")
    owner.refresh_from_db()
    log(f"{connection.vendor}: generating {args.rows:,} rows")
    content = make_csv(args.rows)
    result = {"engine": connection.vendor, "rows": args.rows, "megabytes": round(len(content) / 1e6, 1)}

    def timed(label, dry_run):
        log(f"{connection.vendor}: {label}")
        started, cpu = time.perf_counter(), time.process_time()
        table = importing.read_table(content, "bench.csv")
        report = importing.import_table(actor=owner, table=table, file_name="bench.csv", dry_run=dry_run,
                                        valid_rows_only=True)
        seconds = time.perf_counter() - started
        result[label] = {"seconds": round(seconds, 2), "cpu_seconds": round(time.process_time() - cpu, 2),
                         "rows_per_s": round(args.rows / seconds), "valid": report.valid,
                         "invalid": report.invalid_rows, "duplicates": report.duplicate_rows,
                         "created": report.created}

    timed("dry_run", True)
    before = Client.objects.filter(organization=organization).count()
    timed("commit", False)
    result["stored"] = Client.objects.filter(organization=organization).count() - before

    log(f"{connection.vendor}: baseline, {args.baseline_rows:,} × services.client_create")
    table = importing.read_table(content, "bench.csv")
    mapping = importing.resolve_mapping(owner, table, None, [])
    started, cpu = time.perf_counter(), time.process_time()
    created = 0
    for _number, cells in table.rows[: args.baseline_rows]:
        try:
            services.client_create(actor=owner, data=row_input(cells, mapping), source="import")
            created += 1
        except ValidationError:  # the naive loop skips what it cannot store
            pass
    seconds = time.perf_counter() - started
    result["baseline"] = {"rows": args.baseline_rows, "created": created, "seconds": round(seconds, 2),
                          "cpu_seconds": round(time.process_time() - cpu, 2),
                          "rows_per_s": round(args.baseline_rows / seconds),
                          "extrapolated_seconds": round(seconds * args.rows / args.baseline_rows, 1)}
    return result


# --- the report ----------------------------------------------------------------------------------

def report(r: dict) -> str:
    base = r["baseline"]
    lines = [(f"{r['rows']:,} generated rows ({r['megabytes']} MB CSV, Polish headers, semicolons) on "
              f"{r['engine']}; {machine_load()} before the run."), "",
             ("| step | wall s | CPU s | rows/s | result | × baseline |"), "|---|---:|---:|---:|---|---:|"]
    for step, what in (("dry_run", "dry run: read, map, validate, find duplicates"),
                       ("commit", "commit: the same + one transaction of inserts and indexing")):
        s = r[step]
        outcome = (f"{s['valid']:,} valid, {s['duplicates']:,} possible duplicates" if step == "dry_run"
                   else f"{s['created']:,} stored")
        lines.append(f"| {what} | {s['seconds']:.1f} | {s['cpu_seconds']:.1f} | {s['rows_per_s']:,} | {outcome} | "
                     f"{s['rows_per_s'] / base['rows_per_s']:.1f} |")
    lines.append(f"| baseline: `services.client_create` per row, {base['rows']:,} rows (extrapolated to "
                 f"{r['rows']:,}: {base['extrapolated_seconds']:,.0f} s) | {base['seconds']:.1f} | "
                 f"{base['cpu_seconds']:.1f} | {base['rows_per_s']:,} | {base['created']:,} stored | 1.0 |")
    if r["rows"] >= 100_000:
        verdict = "meets it" if r["commit"]["seconds"] < TARGET_SECONDS else "MISSES it"
    else:
        verdict = "not judged below 100,000 rows"
    lines += ["", (f"Target (issue, SQLite): 100,000 rows in under {TARGET_SECONDS} s, indexing included — "
                   f"commit of {r['rows']:,} rows in {r['commit']['seconds']:.1f} s wall: {verdict}.")]
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.database_url:
        os.environ["FRONTOFFICE_DATABASE_URL"] = args.database_url
    own_dir = None
    if not os.environ.get("FRONTOFFICE_DATA_DIR"):
        own_dir = tempfile.mkdtemp(prefix="frontoffice-bench-import-")
        os.environ["FRONTOFFICE_DATA_DIR"] = own_dir
    try:
        print(report(run_engine(args)), flush=True)
    finally:
        if own_dir:
            shutil.rmtree(own_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
