"""The ``frontoffice`` command: demo, serve, init, token, import, worker, tick, manage.

Every sub-command reads settings from FRONTOFFICE_* variables only. Errors print one line to
stderr and exit non-zero.
"""

from __future__ import annotations

import argparse
import os
import sys

PROG = "frontoffice"


class CliError(Exception):
    pass


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontoffice.settings")
    import django

    django.setup()


def _migrate(verbose: bool = False) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        print(f"{PROG}: applying {len(pending)} database migration(s)…", file=sys.stderr)
        call_command("migrate", interactive=False, verbosity=1 if verbose else 0)


def cmd_serve(args) -> None:
    _setup()
    _migrate()
    from frontoffice.server import serve

    serve(host=args.host, port=args.port, workers=args.workers)


def cmd_demo(args) -> None:
    os.environ["FRONTOFFICE_DEMO"] = "true"
    _setup()
    _migrate()
    from frontoffice.core import demo

    organization, logins = demo.load(args.vertical)
    url = f"http://{args.host}:{args.port}"
    print(f"\nfrontoffice demo — {organization.name}")
    print(f"  open {url}  (password for every login: {demo.DEMO_PASSWORD})")
    for role, email in logins:
        print(f"  {role:<16} {email}")
    print("  The owner also belongs to a second demo organisation: switch at the top of the page.\n", flush=True)
    if not args.no_serve:
        from frontoffice.server import serve

        serve(host=args.host, port=args.port, workers=args.workers)


def cmd_init(args) -> None:
    _setup()
    _migrate()
    import secrets

    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from frontoffice.core import services
    from frontoffice.core.models import User

    existing = User.objects.filter(email__iexact=args.owner_email).exists()
    if existing and args.password:
        raise CliError(f"{args.owner_email} already has an account; leave out --password (theirs is kept)")
    password = None if existing else args.password
    generated = not existing and password is None
    if generated:
        password = secrets.token_urlsafe(12)
    elif password is not None:
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CliError("password: " + " ".join(exc.messages)) from None
    try:
        organization, _owner = services.organization_create(
            name=args.org, vertical=args.vertical, owner_email=args.owner_email, owner_password=password,
            language=args.language, time_zone=args.time_zone, currency=args.currency, country=args.country)
    except ValidationError as exc:
        raise CliError(_one_line(exc)) from None
    print(organization.slug)
    if generated:
        print(f"one-time password for {args.owner_email}: {password}")
    elif existing:
        print(f"{args.owner_email} signs in with their existing password", file=sys.stderr)


def cmd_token(args) -> None:
    _setup()
    from frontoffice.core import services
    from frontoffice.core.models import Member

    members = Member.objects.select_related("organization").filter(user__email__iexact=args.email, active=True)
    if args.org:
        members = members.filter(organization__slug=args.org)
    found = list(members[:2])
    if not found:
        raise CliError(f"no active member {args.email}" + (f" in {args.org}" if args.org else ""))
    if len(found) > 1:
        raise CliError(f"{args.email} belongs to several organisations; choose one with --org SLUG")
    _token, raw = services.token_create(member=found[0], name=args.name)
    print(raw)


def cmd_import_clients(args) -> None:
    """Import a spreadsheet of clients synchronously, with a progress line on stderr."""
    _setup()
    _migrate()
    from django.core.exceptions import ValidationError

    from frontoffice.clients import importing
    from frontoffice.core.models import Member, Organization

    organization = Organization.objects.filter(slug=args.org).first()
    if organization is None:
        raise CliError(f"no organisation with the slug {args.org!r}")
    members = Member.objects.select_related("organization", "user").filter(organization=organization, active=True)
    if args.as_email:
        actor = members.filter(user__email__iexact=args.as_email).first()
        if actor is None:
            raise CliError(f"{args.as_email} is not an active member of {args.org}")
        if not actor.can("clients.import"):
            raise CliError(f"{args.as_email} may not import clients (needs the clients.import capability)")
    else:  # the import is recorded as the work of an owner
        actor = next((m for m in members.order_by("pk") if m.can("organization.manage")), None)
        if actor is None:
            raise CliError(f"{args.org} has no active owner; name the importing member with --as EMAIL")
    mapping = {}
    for item in args.map:
        column, sep, target = item.partition("=")
        if not sep or not column.strip():
            raise CliError(f"--map {item!r}: write COLUMN=FIELD, e.g. --map 'Telefon 2=phones'")
        mapping[column.strip()] = target.strip()
    try:
        with open(args.file, "rb") as handle:
            content = handle.read(importing.MAX_BYTES + 1)
    except OSError as exc:
        raise CliError(f"{args.file}: {exc.strerror}") from None
    try:
        table = importing.read_table(content, os.path.basename(args.file))
        report = importing.import_table(actor=actor, table=table, file_name=os.path.basename(args.file),
                                        dry_run=args.dry_run, valid_rows_only=args.valid_rows_only,
                                        skip_duplicates=args.skip_duplicates, mapping=mapping or None,
                                        progress=_progress_line)
    except ValidationError as exc:
        raise CliError(_one_line(exc)) from None
    finally:
        print(file=sys.stderr, flush=True)
    _print_import_report(report)
    if not report.ok and not args.valid_rows_only:
        if args.dry_run:
            raise CliError(f"{report.invalid_rows} row(s) have errors")
        raise CliError(f"{report.invalid_rows} row(s) have errors, so nothing was imported; correct the file or "
                       "use --valid-rows-only")


def _progress_line(stage: str, done: int, total: int) -> None:
    percent = 100 * done // total if total else 100
    print(f"\r{stage} {done}/{total} rows  {percent:3d}%", end="", file=sys.stderr, flush=True)


def _print_import_report(report) -> None:
    columns = ", ".join(f"{c} → {t or '(ignored)'}" for c, t in zip(report.columns, report.mapping))
    print(f"columns: {columns}")
    print(f"rows: {report.rows}  valid: {report.valid}  with errors: {report.invalid_rows}  "
          f"possible duplicates: {report.duplicate_rows}  ({report.seconds:.1f} s)")
    for error in report.errors[:50]:
        column = f" [{error['column']}]" if error["column"] else ""
        print(f"  row {error['row']}{column}: {error['message']}")
    if report.invalid_rows > 50 or len(report.errors) > 50:
        print("  … (first 50 errors shown)")
    for duplicate in report.duplicates[:20]:
        other = (f"client #{duplicate['client_id']} {duplicate['client_name']}" if duplicate.get("client_id")
                 else f"row {duplicate.get('other_row')}")
        print(f"  row {duplicate['row']}: same {duplicate['reason']} as {other}")
    if report.dry_run:
        print("dry run: nothing was saved")
    elif report.committed:
        print(f"imported {report.created} client(s)")


def cmd_worker(args) -> None:
    """Run background tasks from the Redis queue (FRONTOFFICE_TASKS=rq); the default needs no worker."""
    _setup()
    from frontoffice.core import tasks

    if tasks.backend() != tasks.RQ:
        raise CliError("tasks run inside the server (FRONTOFFICE_TASKS=inprocess); "
                       "set FRONTOFFICE_TASKS=rq and FRONTOFFICE_REDIS_URL to use a worker")
    from rq import Worker

    from frontoffice.core import periodic

    queue = tasks._rq_queue()
    if not args.burst:
        periodic.start()  # with rq the workers, not the web server, run the periodic jobs
    Worker([queue], connection=queue.connection).work(burst=args.burst, with_scheduler=False)


def cmd_tick(args) -> None:
    """Run the periodic jobs that are due, once (for cron or a systemd timer); or list them."""
    _setup()
    from frontoffice.core import periodic
    from frontoffice.core.models import PeriodicRun

    if args.list:
        _print_periodic_jobs(periodic.jobs(), {run.name: run for run in PeriodicRun.objects.all()})
        return
    ran = periodic.run_due()
    failed = dict(PeriodicRun.objects.filter(name__in=ran).exclude(last_error="").values_list("name", "last_error"))
    for name in ran:
        print(f"{name}: failed: {failed[name].splitlines()[-1]}" if name in failed else f"{name}: ran")
    if failed:
        raise CliError(f"{len(failed)} periodic job(s) failed: {', '.join(sorted(failed))}")


def _print_periodic_jobs(jobs, runs) -> None:
    from django.utils import timezone

    zone = timezone.get_default_timezone()  # FRONTOFFICE_TIME_ZONE: a command has no organisation

    def when(moment):
        return timezone.localtime(moment, zone).strftime("%Y-%m-%d %H:%M") if moment else "-"

    print(f"{'job':<32} {'every':>8}  {'next run':<16}  {'last finished':<16}  last error")
    for job in jobs:
        run = runs.get(job.name)
        next_run, finished = (when(run.next_run_at), when(run.last_finished_at)) if run else ("next tick", "-")
        error = run.last_error.splitlines()[-1] if run and run.last_error else ""
        print(f"{job.name:<32} {job.minutes:>4} min  {next_run:<16}  {finished:<16}  {error}".rstrip())
    if not jobs:
        print("(no periodic jobs are registered)")


def cmd_manage(args) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontoffice.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line([f"{PROG} manage", *args.rest])


def _one_line(exc) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items())
    return " ".join(getattr(exc, "messages", [str(exc)]))


class _Parser(argparse.ArgumentParser):
    """Usage mistakes as one line on stderr, like every other error (argparse prints the usage too)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    from frontoffice import __version__
    from frontoffice.conf import env_int, env_str

    parser = _Parser(prog=PROG, description="The front office of an organisation, self-hosted.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def server_options(p):
        p.add_argument("--host", default=env_str("HOST", "127.0.0.1"), help="default: FRONTOFFICE_HOST or 127.0.0.1")
        p.add_argument("--port", type=int, default=env_int("PORT", 8000, minimum=1),
                       help="default: FRONTOFFICE_PORT or 8000")
        p.add_argument("--workers", type=int, default=env_int("WORKERS", 0, minimum=0) or None,
                       help="worker processes (default: FRONTOFFICE_WORKERS or 2 × cores + 1, at most 8)")

    p = sub.add_parser("serve", help="serve the application with gunicorn (applies pending migrations first)")
    server_options(p)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("demo", help="load the demo office into the data folder and serve it")
    p.add_argument("--vertical", default="medical", choices=["medical", "legal", "education", "small_business",
                                                             "general"])
    p.add_argument("--no-serve", action="store_true", help="load the data and print the logins, then stop")
    server_options(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("init", help="create an organisation with its vertical preset and an owner")
    p.add_argument("--org", required=True, help="the organisation's name")
    p.add_argument("--vertical", required=True, choices=["medical", "legal", "education", "small_business",
                                                          "general"])
    p.add_argument("--owner-email", required=True)
    p.add_argument("--password", help="the owner's password (default: a generated one-time password)")
    p.add_argument("--language", default="en", choices=["en", "pl"])
    p.add_argument("--time-zone", default="Europe/Warsaw")
    p.add_argument("--currency", default="PLN")
    p.add_argument("--country", default="PL")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("token", help="API tokens")
    token_sub = p.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    t = token_sub.add_parser("create", help="create an API token and print it (one line)")
    t.add_argument("--email", required=True)
    t.add_argument("--org", help="the organisation's slug (needed when the person belongs to several)")
    t.add_argument("--name", default="command line")
    t.set_defaults(func=cmd_token)

    p = sub.add_parser("import", help="import data from a spreadsheet")
    import_sub = p.add_subparsers(dest="import_what", metavar="WHAT", required=True)
    i = import_sub.add_parser("clients", help="import clients from a CSV or XLSX file (one transaction)",
                              description="Checks every row; a file with errors imports nothing unless "
                                          "--valid-rows-only. Columns are matched by their headers (English or "
                                          "Polish); --map changes that.")
    i.add_argument("file", metavar="FILE")
    i.add_argument("--org", required=True, help="the organisation's slug")
    i.add_argument("--dry-run", action="store_true", help="check and report, save nothing")
    i.add_argument("--valid-rows-only", action="store_true", help="import the valid rows even if others have errors")
    i.add_argument("--skip-duplicates", action="store_true",
                   help="leave out rows matching a client on file (phone, e-mail, identifier, name + birth date)")
    i.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD",
                   help="which field a column goes to (first_name, last_name, full_name, organization_name, kind, "
                        "date_of_birth, phones, emails, street, postal_code, city, country, tags, notes, "
                        "identifiers.KEY, custom.KEY; empty or 'ignore' to skip); repeatable")
    i.add_argument("--as", dest="as_email", metavar="EMAIL", help="the member doing the import (default: an owner)")
    i.set_defaults(func=cmd_import_clients)

    p = sub.add_parser("worker", help="run queued background tasks (only with FRONTOFFICE_TASKS=rq)")
    p.add_argument("--burst", action="store_true", help="stop when the queue is empty")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("tick", help="run the periodic jobs that are due, once (for cron or a systemd timer)",
                       description="For cron or a systemd timer (e.g. every minute): runs every registered "
                                   "periodic job that is due and prints one line per job run. Safe to run on "
                                   "several machines at once: each job runs once per period. Exits 1 if a job "
                                   "failed.")
    p.add_argument("--list", action="store_true",
                   help="list the registered jobs and their next run; run nothing")
    p.set_defaults(func=cmd_tick)

    p = sub.add_parser("manage", help="run a Django management command", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)
    return parser


def main(argv: list[str] | None = None) -> int:
    from django.core.exceptions import ImproperlyConfigured
    from django.db import Error as DatabaseError

    argv = sys.argv[1:] if argv is None else argv
    try:
        if argv[:1] == ["manage"]:  # everything after "manage" belongs to Django, --help included
            cmd_manage(argparse.Namespace(rest=argv[1:]))
            return 0
        args = build_parser().parse_args(argv)
        args.func(args)
    except CliError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 1
    except ImproperlyConfigured as exc:
        print(f"{PROG}: configuration error: {exc}", file=sys.stderr)
        return 2
    except DatabaseError as exc:
        print(f"{PROG}: database error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
