"""The one task interface (DESIGN §2): ``enqueue("app.module.function", id=…)``.

Where the work runs is configuration, not code:

- ``inprocess`` (the embedded default): a small pool of daemon threads of this process, handed the task
  after the current transaction commits, so the task sees the rows its caller wrote. The threads live
  as long as the process and keep their database connections (``FRONTOFFICE_DB_CONN_MAX_AGE``), so a
  task costs no new connection. Nothing to install; work in flight is lost if the process stops, so
  tasks record their own progress and tolerate being run again.
- ``rq``: a job on RQ over Redis (``FRONTOFFICE_TASKS=rq`` and ``FRONTOFFICE_REDIS_URL``), run by
  ``frontoffice worker`` on any machine; needs the ``rq`` package.
- ``settings.TASKS_EAGER = True`` (tests): run at once, in the caller's thread and transaction.

A task takes ids and plain values, never model instances (STYLE: "a task takes ids and loads the
objects"), so the same call works in a thread and across a queue.
"""

from __future__ import annotations

import logging
import os
import queue
import threading

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import close_old_connections, connections, transaction
from django.utils.module_loading import import_string

from frontoffice.conf import env_str

logger = logging.getLogger(__name__)

INPROCESS, RQ = "inprocess", "rq"
_PLAIN = (str, int, float, bool, type(None))


def backend() -> str:
    name = (getattr(settings, "TASKS", None) or env_str("TASKS", INPROCESS) or INPROCESS).lower()
    if name not in (INPROCESS, RQ):
        raise ImproperlyConfigured(f"FRONTOFFICE_TASKS must be {INPROCESS} or {RQ}, not {name!r}")
    return name


def enqueue(func_path: str, **kwargs) -> None:
    """Run ``func_path(**kwargs)`` in the background, once the current transaction has committed."""
    _check_plain(kwargs)
    import_string(func_path)  # fail now, in the caller, on a misspelt path
    if getattr(settings, "TASKS_EAGER", False):
        run(func_path, kwargs)
        return
    if backend() == RQ:
        queue = _rq_queue()
        transaction.on_commit(lambda: queue.enqueue("frontoffice.core.tasks.run", func_path, kwargs))
        return
    transaction.on_commit(lambda: _pool().put((func_path, kwargs)))


def run(func_path: str, kwargs: dict) -> None:
    """Call the task. The entry point for every backend (RQ workers import it by name)."""
    import_string(func_path)(**kwargs)


# Enough threads that a long task (an import) does not hold up the short ones (a host's e-mail).
POOL_THREADS = 4
POOL_IDLE_SECONDS = 5
_pool_lock = threading.Lock()
_pool_queue: queue.SimpleQueue | None = None
_pool_pid: int | None = None


def _pool() -> queue.SimpleQueue:
    """This process's task queue, its threads started on first use (after a fork too: threads are not
    inherited, so a gunicorn worker starts its own)."""
    global _pool_queue, _pool_pid
    with _pool_lock:
        if _pool_queue is None or _pool_pid != os.getpid():
            _pool_queue, _pool_pid = queue.SimpleQueue(), os.getpid()
            for number in range(POOL_THREADS):
                threading.Thread(target=_work, args=(_pool_queue,), name=f"task:{number + 1}", daemon=True).start()
        return _pool_queue


def _work(tasks: queue.SimpleQueue) -> None:
    while True:
        try:
            func_path, kwargs = tasks.get(timeout=POOL_IDLE_SECONDS)
        except queue.Empty:  # idle: give the database its connection back until there is work again
            connections.close_all()
            continue
        close_old_connections()  # keeps a healthy persistent connection, replaces a broken or old one
        try:
            run(func_path, kwargs)
        except Exception:  # a thread has no caller to raise to: log it; the task records its own failure
            logger.exception("task %s failed", func_path)
            connections.close_all()  # this thread's connections only: start the next task afresh
        finally:
            tasks_done.set()


tasks_done = threading.Event()  # set after every in-process task: lets tests wait without sleeping


def _rq_queue():
    try:
        import redis
        import rq
    except ImportError:
        raise ImproperlyConfigured("FRONTOFFICE_TASKS=rq needs the rq package: pip install rq") from None
    url = getattr(settings, "REDIS_URL", "") or env_str("REDIS_URL")
    if not url:
        raise ImproperlyConfigured("FRONTOFFICE_TASKS=rq needs FRONTOFFICE_REDIS_URL (redis://host:6379/0)")
    return rq.Queue("frontoffice", connection=redis.Redis.from_url(url))


def _check_plain(value, path: str = "") -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _check_plain(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _check_plain(item, f"{path}[{index}]")
    elif not isinstance(value, _PLAIN):
        raise TypeError(f"task argument {path or 'value'} is a {type(value).__name__}: pass ids and plain values")
