"""Periodic jobs: registration, due or not, one run per period however many race, errors, CLI, switch."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection, connections

from frontoffice import cli, server
from frontoffice.core import periodic
from frontoffice.core.models import PeriodicRun

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
CALLS: list[str] = []


def count() -> None:
    CALLS.append("count")


def fail() -> None:
    raise RuntimeError("the printer is on fire")


@pytest.fixture(autouse=True)
def _empty_registry(monkeypatch):
    """An empty registry for each test (the apps' own jobs are left out), and no calls yet."""
    monkeypatch.setattr(periodic, "_jobs", {})
    CALLS.clear()


@pytest.fixture
def run(capsys):
    """run(*argv): cli.main(argv) in this process -> (exit code, stdout lines, stderr lines)."""

    def run(*argv: str) -> tuple[int, list[str], list[str]]:
        try:
            code = cli.main(list(argv))
        except SystemExit as exit_:
            code = exit_.code
        out, err = capsys.readouterr()
        return code, out.splitlines(), err.splitlines()

    return run


# --- registration ---------------------------------------------------------------------------


def test_register_adds_a_job_once_and_refuses_a_different_one_under_the_same_name():
    periodic.register("count", "tests.core.test_periodic.count", minutes=15)
    periodic.register("count", "tests.core.test_periodic.count", minutes=15)  # wiring twice is harmless
    assert periodic.jobs() == [periodic.Job("count", "tests.core.test_periodic.count", 15)]
    with pytest.raises(ValueError, match="already registered"):
        periodic.register("count", "tests.core.test_periodic.count", minutes=5)


@pytest.mark.parametrize("minutes", [0, -5, 1.5])
def test_register_refuses_an_interval_that_is_not_a_whole_number_of_minutes(minutes):
    with pytest.raises(ValueError, match="minutes"):
        periodic.register("count", "tests.core.test_periodic.count", minutes=minutes)


# --- due or not -----------------------------------------------------------------------------


def test_a_new_job_runs_at_once_then_once_per_period(db):
    periodic.register("count", "tests.core.test_periodic.count", minutes=15)
    with time_machine.travel(T0, tick=False) as clock:
        assert periodic.run_due() == ["count"]
        row = PeriodicRun.objects.get(name="count")
        assert (row.next_run_at, row.last_started_at, row.last_finished_at, row.last_error) == (
            T0 + timedelta(minutes=15), T0, T0, "")
        clock.move_to(T0 + timedelta(minutes=14, seconds=59))
        assert periodic.run_due() == []
        clock.move_to(T0 + timedelta(minutes=15))
        assert periodic.run_due() == ["count"]
    assert CALLS == ["count", "count"]
    assert PeriodicRun.objects.get(name="count").next_run_at == T0 + timedelta(minutes=30)


def test_a_job_overdue_by_several_periods_runs_once_and_is_next_due_a_period_later(db):
    periodic.register("count", "tests.core.test_periodic.count", minutes=10)
    PeriodicRun.objects.create(name="count", next_run_at=T0)
    assert periodic.run_due(now=T0 + timedelta(hours=5)) == ["count"]
    assert CALLS == ["count"]
    assert PeriodicRun.objects.get(name="count").next_run_at == T0 + timedelta(hours=5, minutes=10)


def test_the_period_counts_from_the_minute_so_a_round_a_few_seconds_late_still_runs_the_job(db):
    periodic.register("count", "tests.core.test_periodic.count", minutes=1)
    assert periodic.run_due(now=T0 + timedelta(seconds=40)) == ["count"]
    assert PeriodicRun.objects.get(name="count").next_run_at == T0 + timedelta(minutes=1)
    assert periodic.run_due(now=T0 + timedelta(seconds=59)) == []
    assert periodic.run_due(now=T0 + timedelta(minutes=1, seconds=5)) == ["count"]


def test_a_job_no_longer_registered_is_left_alone(db):
    PeriodicRun.objects.create(name="gone", next_run_at=T0)
    assert periodic.run_due(now=T0 + timedelta(days=1)) == []
    assert PeriodicRun.objects.get(name="gone").last_started_at is None


# --- the claim ------------------------------------------------------------------------------


def test_two_rounds_in_the_same_period_run_the_job_once(db):
    periodic.register("count", "tests.core.test_periodic.count", minutes=15)
    assert periodic.run_due(now=T0) == ["count"]
    assert periodic.run_due(now=T0) == []
    assert periodic.run_due(now=T0 + timedelta(minutes=1)) == []
    assert CALLS == ["count"]


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_for_the_same_period_run_the_job_once(monkeypatch):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("concurrent writers need PostgreSQL or an SQLite file (FRONTOFFICE_TEST_SQLITE_NAME)")
    periodic.register("count", "tests.core.test_periodic.count", minutes=15)
    PeriodicRun.objects.create(name="count", next_run_at=T0)
    # Both workers have seen the job due before either claims it: only the compare-and-set decides.
    both_read = threading.Barrier(2, timeout=10)
    due_names = periodic._due_names

    def due_names_then_wait(now):
        names = due_names(now)
        both_read.wait()
        return names

    monkeypatch.setattr(periodic, "_due_names", due_names_then_wait)
    results, errors = [], []

    def worker():
        try:
            results.append(periodic.run_due(now=T0 + timedelta(seconds=30)))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert errors == []
    assert sorted(results) == [[], ["count"]]
    assert CALLS == ["count"]


# --- errors ---------------------------------------------------------------------------------


def test_a_failing_job_records_its_error_and_the_others_still_run(db, caplog):
    periodic.register("a_fails", "tests.core.test_periodic.fail", minutes=60)
    periodic.register("b_counts", "tests.core.test_periodic.count", minutes=60)
    periodic.register("c_misspelt", "tests.core.test_periodic.no_such_function", minutes=60)
    assert periodic.run_due(now=T0) == ["a_fails", "b_counts", "c_misspelt"]
    assert CALLS == ["count"]
    errors = dict(PeriodicRun.objects.values_list("name", "last_error"))
    assert errors["a_fails"] == "RuntimeError: the printer is on fire"
    assert errors["b_counts"] == ""
    assert errors["c_misspelt"].startswith("ImportError:")
    assert "periodic job a_fails failed" in caplog.text
    failed = PeriodicRun.objects.get(name="a_fails")
    assert failed.last_finished_at is not None
    assert failed.next_run_at == T0 + timedelta(hours=1)  # tried again next period, not every round


def test_the_error_is_cleared_by_the_next_successful_run(db, monkeypatch):
    periodic.register("flaky", "tests.core.test_periodic.fail", minutes=5)
    periodic.run_due(now=T0)
    monkeypatch.setattr(sys.modules[__name__], "fail", count)
    periodic.run_due(now=T0 + timedelta(minutes=5))
    assert PeriodicRun.objects.get(name="flaky").last_error == ""


# --- frontoffice tick -----------------------------------------------------------------------


def test_tick_runs_the_due_jobs_and_prints_them(db, run):
    periodic.register("count", "tests.core.test_periodic.count", minutes=15)
    assert run("tick")[:2] == (0, ["count: ran"])
    assert run("tick") == (0, [], [])  # nothing due: silent, as cron likes it
    assert CALLS == ["count"]


def test_tick_exits_1_and_names_the_job_that_failed(db, run):
    periodic.register("count", "tests.core.test_periodic.count", minutes=15)
    periodic.register("fails", "tests.core.test_periodic.fail", minutes=15)
    code, out, err = run("tick")
    assert code == 1
    assert out == ["count: ran", "fails: failed: RuntimeError: the printer is on fire"]
    assert err[-1] == "frontoffice: error: 1 periodic job(s) failed: fails"


def test_tick_list_shows_the_jobs_and_their_next_run_without_running_them(db, run, settings):
    settings.TIME_ZONE = "UTC"
    periodic.register("count", "tests.core.test_periodic.count", minutes=15)
    periodic.register("fails", "tests.core.test_periodic.fail", minutes=1440)
    code, out, _err = run("tick", "--list")
    assert code == 0 and CALLS == []
    assert out[1].split() == ["count", "15", "min", "next", "tick", "-"]
    with time_machine.travel(T0, tick=False):
        periodic.run_due()
    code, out, _err = run("tick", "--list")
    assert out[1].split() == ["count", "15", "min", "2026-03-02", "08:15", "2026-03-02", "08:00"]
    assert out[2].split() == ["fails", "1440", "min", "2026-03-03", "08:00", "2026-03-02", "08:00",
                              "RuntimeError:", "the", "printer", "is", "on", "fire"]


def test_tick_list_says_when_no_job_is_registered(db, run):
    assert run("tick", "--list")[1][-1] == "(no periodic jobs are registered)"


def test_tick_has_help(run):
    code, out, _err = run("tick", "--help")
    assert code == 0
    assert "--list" in "\n".join(out) and "cron" in "\n".join(out)


# --- the scheduler thread and its switch ------------------------------------------------------


def test_the_loop_runs_a_round_every_interval_until_stopped_and_survives_a_failed_round(monkeypatch):
    stop, rounds = threading.Event(), []

    def run_due():
        rounds.append(1)
        if len(rounds) == 1:
            raise ConnectionError("database away")
        if len(rounds) == 3:
            stop.set()
        return []

    monkeypatch.setattr(periodic, "run_due", run_due)
    thread = threading.Thread(target=periodic.loop, args=(stop, 0))  # a thread of its own, as in a worker
    thread.start()
    thread.join(5)
    assert len(rounds) == 3 and not thread.is_alive()


def test_start_runs_the_loop_in_a_daemon_thread_when_periodic_is_on(monkeypatch, settings):
    settings.PERIODIC = True
    started = threading.Event()
    monkeypatch.setattr(periodic, "loop", lambda stop, seconds: started.set())
    thread = periodic.start()
    thread.join(5)
    assert started.is_set() and thread.daemon and thread.name == "periodic"


def test_start_does_nothing_when_periodic_is_off(monkeypatch, settings):
    settings.PERIODIC = False
    monkeypatch.setattr(periodic, "loop", lambda stop, seconds: pytest.fail("the loop must not run"))
    assert periodic.start() is None


@pytest.mark.parametrize(("tasks_backend", "starts"), [("inprocess", True), ("rq", False)])
def test_each_gunicorn_worker_starts_the_scheduler_only_when_tasks_run_in_process(
        tasks_backend, starts, monkeypatch, settings):
    settings.TASKS = tasks_backend
    started = []
    monkeypatch.setattr(periodic, "start", lambda: started.append(True))
    server._post_worker_init(worker=None)
    assert started == ([True] if starts else [])


@pytest.mark.parametrize(("burst", "starts"), [(False, True), (True, False)])
def test_the_rq_worker_starts_the_scheduler_unless_it_is_a_burst(burst, starts, monkeypatch, settings, run):
    pytest.importorskip("rq")
    settings.TASKS = "rq"
    settings.REDIS_URL = "redis://127.0.0.1:6379/15"  # never connected to: the worker is a stand-in
    started, worked = [], []

    class Worker:
        def __init__(self, queues, connection):
            pass

        def work(self, burst, with_scheduler):
            worked.append(burst)

    monkeypatch.setattr("rq.Worker", Worker)
    monkeypatch.setattr(periodic, "start", lambda: started.append(True))
    argv = ["worker", "--burst"] if burst else ["worker"]
    assert run(*argv)[0] == 0
    assert worked == [burst] and started == ([True] if starts else [])


@pytest.mark.parametrize(("value", "expected"), [(None, "True"), ("on", "True"), ("off", "False"),
                                                 ("false", "False")])
def test_frontoffice_periodic_switch(value, expected, tmp_path):
    env = {**os.environ, "FRONTOFFICE_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "frontoffice.settings"}
    env.pop("FRONTOFFICE_PERIODIC", None)
    if value is not None:
        env["FRONTOFFICE_PERIODIC"] = value
    code = "from django.conf import settings; print(settings.PERIODIC)"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == expected, result.stderr


def test_a_wrong_frontoffice_periodic_stops_the_command_naming_the_variable(tmp_path):
    env = {**os.environ, "FRONTOFFICE_DATA_DIR": str(tmp_path), "FRONTOFFICE_PERIODIC": "sometimes"}
    result = subprocess.run([sys.executable, "-m", "frontoffice.cli", "tick", "--list"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "FRONTOFFICE_PERIODIC must be true or false, not 'sometimes'" in result.stderr
