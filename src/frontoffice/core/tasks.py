"""The one task interface (DESIGN §2): ``enqueue("app.module.function", id=…)``.

Where the work runs is configuration, not code:

- ``inprocess`` (the embedded default): a daemon thread of this process, started after the current
  transaction commits, so the task sees the rows its caller wrote. Nothing to install; work in flight is
  lost if the process stops, so tasks record their own progress and tolerate being run again.
- ``rq``: a job on RQ over Redis (``FRONTOFFICE_TASKS=rq`` and ``FRONTOFFICE_REDIS_URL``), run by
  ``frontoffice worker`` on any machine; needs the ``rq`` package.
- ``settings.TASKS_EAGER = True`` (tests): run at once, in the caller's thread and transaction.

A task takes ids and plain values, never model instances (STYLE: "a task takes ids and loads the
objects"), so the same call works in a thread and across a queue.
"""

from __future__ import annotations

import logging
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
    transaction.on_commit(lambda: threading.Thread(target=_run_in_thread, args=(func_path, kwargs),
                                                   name=f"task:{func_path}", daemon=True).start())


def run(func_path: str, kwargs: dict) -> None:
    """Call the task. The entry point for every backend (RQ workers import it by name)."""
    import_string(func_path)(**kwargs)


def _run_in_thread(func_path: str, kwargs: dict) -> None:
    close_old_connections()
    try:
        run(func_path, kwargs)
    except Exception:  # a thread has no caller to raise to: log it; the task records its own failure
        logger.exception("task %s failed", func_path)
    finally:
        connections.close_all()  # this thread's connections only: they are per thread


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
