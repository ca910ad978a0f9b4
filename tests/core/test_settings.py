"""Settings from FRONTOFFICE_* variables: clear start-up errors, a deployable HTTPS set-up, the secret key,
and the security headers every page carries."""

from __future__ import annotations

import os
import re
import secrets
import stat
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from frontoffice import conf


def _env(tmp_path, **variables) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("FRONTOFFICE_")}
    env["FRONTOFFICE_DATA_DIR"] = str(tmp_path)
    env["DJANGO_SETTINGS_MODULE"] = "frontoffice.settings"
    env.update({f"FRONTOFFICE_{key}": value for key, value in variables.items()})
    return env


def _python(tmp_path, code: str, **variables) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        env=_env(tmp_path, **variables),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )


def _frontoffice(tmp_path, *argv: str, **variables) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "frontoffice.cli", *argv],
        env=_env(tmp_path, **variables),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        check=False,
    )


PRINT_SECRET = "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"


# --- start-up errors ------------------------------------------------------------------------


def test_a_wrong_boolean_stops_start_up_naming_the_variable(tmp_path):
    result = _frontoffice(tmp_path, "manage", "check", DEBUG="maybe")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "frontoffice: configuration error: FRONTOFFICE_DEBUG must be true or false, not 'maybe'"
    ]


def test_a_wrong_boolean_stops_a_bare_django_start_up_too(tmp_path):
    result = _python(tmp_path, PRINT_SECRET, DEBUG="maybe")
    assert result.returncode != 0
    assert "ImproperlyConfigured: FRONTOFFICE_DEBUG must be true or false, not 'maybe'" in result.stderr


@pytest.mark.parametrize(
    "parse, name, value, message",
    [
        (lambda: conf.env_bool("DEBUG"), "DEBUG", "maybe", "FRONTOFFICE_DEBUG must be true or false"),
        (
            lambda: conf.env_int("SESSION_HOURS", 12, minimum=1),
            "SESSION_HOURS",
            "twelve",
            "FRONTOFFICE_SESSION_HOURS must be a whole number",
        ),
        (
            lambda: conf.env_int("SESSION_HOURS", 12, minimum=1),
            "SESSION_HOURS",
            "0",
            "FRONTOFFICE_SESSION_HOURS must be at least 1",
        ),
        (
            lambda: conf.env_time_zone("TIME_ZONE", "UTC"),
            "TIME_ZONE",
            "Mars/Base",
            "FRONTOFFICE_TIME_ZONE is not a known time zone",
        ),
    ],
)
def test_parsers_name_the_variable_they_refuse(monkeypatch, parse, name, value, message):
    monkeypatch.setenv(f"FRONTOFFICE_{name}", value)
    with pytest.raises(ImproperlyConfigured, match=message):
        parse()


@pytest.mark.parametrize(
    "value, expected", [("true", True), ("YES", True), ("1", True), ("off", False), ("0", False), ("", False)]
)
def test_booleans_read_the_usual_words(monkeypatch, value, expected):
    monkeypatch.setenv("FRONTOFFICE_DEMO", value)
    assert conf.env_bool("DEMO", not expected) is expected


def test_list_variables_are_comma_separated(monkeypatch):
    monkeypatch.setenv("FRONTOFFICE_ALLOWED_HOSTS", " a.example, b.example ,,")
    assert conf.env_list("ALLOWED_HOSTS", []) == ["a.example", "b.example"]


# --- deployment -----------------------------------------------------------------------------

HTTPS = {"HTTPS": "true", "PUBLIC_URL": "https://x.example", "ALLOWED_HOSTS": "x.example"}


def test_https_set_up_passes_the_deploy_check(tmp_path):
    result = _frontoffice(
        tmp_path,
        "manage",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(48),
        **HTTPS,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_deploy_check_does_fail_without_https(tmp_path):
    result = _frontoffice(
        tmp_path,
        "manage",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="x.example",
    )
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT" in result.stdout + result.stderr


def test_https_with_a_plain_public_url_is_flagged(tmp_path):
    result = _frontoffice(
        tmp_path,
        "manage",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(48),
        **(HTTPS | {"PUBLIC_URL": "http://x.example"}),
    )
    assert result.returncode != 0
    assert "frontoffice.W001" in result.stdout + result.stderr


# --- the secret key -------------------------------------------------------------------------


def test_secret_key_is_generated_once_into_the_data_folder_and_reused(tmp_path):
    first = _python(tmp_path, PRINT_SECRET)
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip()
    assert len(key) >= 50
    path = tmp_path / "secret_key"
    assert path.read_text().strip() == key
    assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, "the key file must be private"
    assert _python(tmp_path, PRINT_SECRET).stdout.strip() == key


def test_each_data_folder_gets_its_own_secret_key(tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    assert conf.secret_key(tmp_path / "one") != conf.secret_key(tmp_path / "two")


def test_a_configured_secret_key_wins_and_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.setenv("FRONTOFFICE_SECRET_KEY", "k" * 60)
    assert conf.secret_key(tmp_path) == "k" * 60
    assert not (tmp_path / "secret_key").exists()


# --- headers on every page ------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/account/login/", "/", "/api/v1/docs"])
def test_pages_carry_the_security_headers(client, owner, signed_in, path):
    response = (signed_in(owner) if path == "/" else client).get(path)
    assert response.status_code == 200
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script_code(client, owner, signed_in):
    for response in (client.get("/account/login/"), signed_in(owner).get("/")):
        for attributes, body in re.findall(
            r"<script([^>]*)>(.*?)</script>", response.content.decode(), re.DOTALL
        ):
            assert "src=" in attributes and not body.strip()
        assert not re.search(r"\son[a-z]+=", response.content.decode()), "inline event handler"


# --- sessions -------------------------------------------------------------------------------

def test_a_signed_out_session_is_refused_by_every_worker(owner, signed_in):
    """Two worker processes each have their own memory cache. Sign out through one (its cache and the
    database forget the session); the other, which had the session in its own cache, must refuse the cookie."""
    from django.contrib.sessions.models import Session
    from django.core.cache import caches

    client = signed_in(owner)
    assert client.get("/").status_code == 200
    cache = caches["default"]
    other_worker = (dict(cache._cache), dict(cache._expire_info))
    cookie = client.cookies["sessionid"].value
    client.post("/account/logout/")
    assert not Session.objects.filter(session_key=cookie).exists()
    cache._cache.update(other_worker[0])  # the other worker's memory still holds what it saw
    cache._expire_info.update(other_worker[1])
    client.cookies["sessionid"] = cookie
    response = client.get("/")
    assert response.status_code == 302 and "/account/login/" in response["Location"]
