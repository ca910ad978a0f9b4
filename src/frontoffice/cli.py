"""The ``frontoffice`` command: demo, serve, init, token, manage.

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


def cmd_manage(args) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontoffice.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line([f"{PROG} manage", *args.rest])


def _one_line(exc) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items())
    return " ".join(getattr(exc, "messages", [str(exc)]))


def build_parser() -> argparse.ArgumentParser:
    from frontoffice import __version__
    from frontoffice.conf import env_int, env_str

    parser = argparse.ArgumentParser(prog=PROG, description="The front office of an organisation, self-hosted.")
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
