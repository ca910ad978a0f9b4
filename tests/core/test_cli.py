"""The ``frontoffice`` command: init, token create, help, and one-line errors."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys

import pytest
from django.test import Client

from frontoffice import cli
from frontoffice.cli import main
from frontoffice.core import capabilities as caps
from frontoffice.core.models import Activity, Member, Organization, User
from tests.core.factories import PASSWORD, MemberFactory, UserFactory


@pytest.fixture
def run(capsys, monkeypatch):
    """run(*argv): main(argv) in this process -> (exit code, stdout lines, stderr lines).

    The test database is already migrated; migrating a fresh data folder is tested in a subprocess below."""
    monkeypatch.setattr(cli, "_migrate", lambda verbose=False: None)

    def run(*argv: str) -> tuple[int, list[str], list[str]]:
        try:
            code = main(list(argv))
        except SystemExit as exit_:
            code = exit_.code
        out, err = capsys.readouterr()
        return code, out.splitlines(), err.splitlines()

    return run


INIT = ["init", "--org", "Green Street Surgery", "--vertical", "medical", "--owner-email", "boss@example.com"]


# --- init -----------------------------------------------------------------------------------


def test_init_prints_the_slug_and_a_one_time_password(db, run):
    code, out, err = run(*INIT)
    assert code == 0, err
    assert out[0] == "green-street-surgery"
    assert out[1].startswith("one-time password for boss@example.com: ")
    assert len(out) == 2
    password = out[1].rsplit(": ", 1)[1]
    organization = Organization.objects.get(slug="green-street-surgery")
    owner = organization.members.get()
    assert owner.roles == [caps.OWNER] and owner.user.check_password(password)
    assert organization.departments.count() == 4
    signed_in = Client().post("/account/login/", {"username": "boss@example.com", "password": password})
    assert signed_in.status_code == 302


def test_init_with_a_chosen_password_prints_only_the_slug(db, run):
    code, out, _err = run(
        *INIT,
        "--password",
        "a long chosen passphrase",
        "--language",
        "pl",
        "--currency",
        "eur",
        "--country",
        "de",
        "--time-zone",
        "Europe/Berlin",
    )
    assert code == 0 and out == ["green-street-surgery"]
    organization = Organization.objects.get()
    assert (organization.language, organization.currency, organization.country, organization.time_zone) == (
        "pl",
        "EUR",
        "DE",
        "Europe/Berlin",
    )


def test_init_for_someone_who_already_has_an_account_keeps_their_password(db, run):
    user = UserFactory(email="boss@example.com")
    code, out, err = run(*INIT)
    assert code == 0 and out == ["green-street-surgery"]
    assert err == ["boss@example.com signs in with their existing password"]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert Organization.objects.get().members.get().user == user


@pytest.mark.parametrize(
    "change, words",
    [
        (["--vertical", "bakery"], ["--vertical", "bakery"]),
        (["--owner-email", "not-an-address"], ["owner_email"]),
        (["--time-zone", "Mars/Base"], ["time_zone"]),
        (["--currency", "E1R"], ["currency"]),
        (["--password", "short"], ["password"]),
        (["--language", "de"], ["--language"]),
    ],
)
def test_init_with_bad_input_exits_non_zero_with_one_clear_line(db, run, change, words):
    argv = list(INIT)
    if change[0] in argv:
        argv[argv.index(change[0]) + 1] = change[1]
    else:
        argv += change
    code, out, err = run(*argv)
    assert code != 0
    assert len(err) == 1, err
    assert err[0].startswith("frontoffice")
    assert all(word in err[0] for word in words), err[0]
    assert out == []
    assert not Organization.objects.exists() and not User.objects.exists()


def test_init_without_required_arguments_is_one_line(run):
    code, _out, err = run("init")
    assert code == 2 and len(err) == 1 and "--org" in err[0]


def test_unknown_command_is_one_line(run):
    code, _out, err = run("frobnicate")
    assert code == 2 and len(err) == 1 and "frobnicate" in err[0]


# --- token create ---------------------------------------------------------------------------


def test_token_create_prints_one_line_that_works_as_a_bearer_token(owner, run):
    code, out, err = run("token", "create", "--email", owner.user.email.upper(), "--name", "backup script")
    assert code == 0, err
    assert len(out) == 1
    response = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {out[0]}"})
    assert response.status_code == 200 and response.json()["member_id"] == owner.pk
    assert owner.api_tokens.get().name == "backup script"
    assert Activity.objects.filter(verb="token.created", actor=owner).exists()


@pytest.mark.parametrize("email", ["nobody@example.com", "inactive"])
def test_token_create_for_an_unknown_or_inactive_email_is_an_error(org, run, email):
    if email == "inactive":
        email = MemberFactory(organization=org, active=False).user.email
    code, out, err = run("token", "create", "--email", email)
    assert code == 1 and out == []
    assert err == [f"frontoffice: error: no active member {email}"]


def test_token_create_for_someone_in_several_organisations_needs_the_slug(owner, other_org, run):
    Member.objects.create(organization=other_org, user=owner.user, roles=[caps.CLERK])
    code, _out, err = run("token", "create", "--email", owner.user.email)
    assert code == 1 and len(err) == 1 and "--org" in err[0]
    code, out, _err = run("token", "create", "--email", owner.user.email, "--org", "beta")
    assert code == 0
    assert (
        Client()
        .get("/api/v1/me", headers={"Authorization": f"Bearer {out[0]}"})
        .json()["organization"]["slug"]
        == "beta"
    )


# --- help -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["serve", "--help"],
        ["demo", "--help"],
        ["init", "--help"],
        ["token", "--help"],
        ["token", "create", "--help"],
    ],
    ids=" ".join,
)
def test_help_of_every_command_exits_0(run, argv):
    code, out, _err = run(*argv)
    assert code == 0
    assert out[0].startswith("usage: frontoffice")


def test_every_command_has_help(run):
    # A command added later gets its --help checked too.
    from frontoffice.cli import build_parser

    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    for name in commands:
        if name == "manage":
            continue  # passes --help on to Django, below
        code, out, _err = run(name, "--help")
        assert code == 0 and out[0].startswith(f"usage: frontoffice {name}"), name


def test_manage_help_is_djangos_and_exits_0(run):
    code, out, _err = run("manage", "--help")
    assert code == 0
    assert any("migrate" in line for line in out)


# --- as an operator runs it -----------------------------------------------------------------


def test_init_then_token_in_a_fresh_data_folder(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("FRONTOFFICE_")}
    env |= {"FRONTOFFICE_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "frontoffice.settings"}

    def frontoffice(*argv):
        return subprocess.run(
            [sys.executable, "-m", "frontoffice.cli", *argv],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            cwd=tmp_path,
            check=False,
        )

    init = frontoffice(*INIT)
    assert init.returncode == 0, init.stderr
    assert init.stdout.splitlines()[0] == "green-street-surgery"
    token = frontoffice("token", "create", "--email", "boss@example.com")
    assert token.returncode == 0, token.stderr
    (raw,) = token.stdout.splitlines()
    with sqlite3.connect(tmp_path / "frontoffice.sqlite3") as database:
        rows = database.execute("select key_hash, revoked_at from core_apitoken").fetchall()
    assert rows == [(hashlib.sha256(raw.encode()).hexdigest(), None)]
    again = frontoffice(*INIT[:-1], "not-an-address")
    assert again.returncode == 1 and len(again.stderr.splitlines()) == 1


def test_serve_writes_an_access_log_with_the_request_time_where_told(monkeypatch, settings, tmp_path):
    from frontoffice import server

    captured = {}
    monkeypatch.setattr(server._Gunicorn, "run", lambda self: captured.update(self.options))
    settings.ACCESS_LOG, settings.DEBUG = str(tmp_path / "access.log"), False
    server.serve(host="127.0.0.1", port=0, workers=1)
    assert captured["accesslog"] == str(tmp_path / "access.log")
    assert captured["access_log_format"].endswith("%(D)s")  # microseconds in the worker, for operators and bench/
    application = server._Gunicorn({k: v for k, v in captured.items() if k != "post_worker_init"})
    assert application.cfg.access_log_format == captured["access_log_format"]  # gunicorn accepts it

    captured.clear()
    settings.ACCESS_LOG = ""
    server.serve(host="127.0.0.1", port=0, workers=1)
    assert "accesslog" not in captured  # none unless asked (or DEBUG)
