"""The task interface: in-process by default, RQ over Redis when configured."""

import threading

import pytest
from django.core.exceptions import ImproperlyConfigured

from frontoffice.core import tasks

CALLS = []


def record(*, value):
    if value == "fail":
        raise RuntimeError("a task that fails")
    CALLS.append((value, threading.current_thread().name))


def test_eager_runs_at_once(settings):
    settings.TASKS_EAGER = True
    CALLS.clear()
    tasks.enqueue("tests.core.test_tasks.record", value=1)
    assert CALLS == [(1, threading.current_thread().name)]


def test_inprocess_runs_in_a_thread_after_commit(db, settings, django_capture_on_commit_callbacks):
    settings.TASKS_EAGER = False
    settings.TASKS = "inprocess"
    CALLS.clear()
    tasks.tasks_done.clear()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.enqueue("tests.core.test_tasks.record", value=2)
        assert CALLS == []  # nothing before the commit
    assert tasks.tasks_done.wait(5)
    assert CALLS and CALLS[0][0] == 2 and CALLS[0][1].startswith("task:")


def test_inprocess_threads_are_reused_and_survive_a_failing_task(db, settings, django_capture_on_commit_callbacks):
    settings.TASKS_EAGER = False
    settings.TASKS = "inprocess"
    CALLS.clear()
    for value in ("fail", 3, 4):
        tasks.tasks_done.clear()
        with django_capture_on_commit_callbacks(execute=True):
            tasks.enqueue("tests.core.test_tasks.record", value=value)
        assert tasks.tasks_done.wait(5)
    assert [value for value, _thread in CALLS] == [3, 4]
    pool_threads = [t for t in threading.enumerate() if t.name.startswith("task:")]
    assert len(pool_threads) == tasks.POOL_THREADS  # no thread per task


def test_model_instances_are_refused(settings, org):
    with pytest.raises(TypeError):
        tasks.enqueue("tests.core.test_tasks.record", value=org)


def test_unknown_backend_fails_clearly(settings):
    settings.TASKS_EAGER = False
    settings.TASKS = "carrier-pigeon"
    with pytest.raises(ImproperlyConfigured, match="FRONTOFFICE_TASKS"):
        tasks.enqueue("tests.core.test_tasks.record", value=3)


def test_rq_queue_runs_on_a_worker(db, settings, django_capture_on_commit_callbacks):
    redis = pytest.importorskip("redis")
    rq = pytest.importorskip("rq")
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379 (the embedded default needs none)")
    settings.TASKS_EAGER = False
    settings.TASKS = "rq"
    settings.REDIS_URL = url
    queue = tasks._rq_queue()
    queue.empty()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.enqueue("tests.core.test_tasks.record", value=4)
    assert queue.count == 1
    job = queue.jobs[0]
    CALLS.clear()
    job.perform()  # what `frontoffice worker` does for each job, in this process
    assert CALLS and CALLS[0][0] == 4
    queue.empty()
    assert rq.__version__


def test_worker_command_explains_that_the_default_needs_none(capsys, monkeypatch):
    from frontoffice.cli import main

    monkeypatch.delenv("FRONTOFFICE_TASKS", raising=False)
    assert main(["worker", "--burst"]) == 1
    assert "inprocess" in capsys.readouterr().err
