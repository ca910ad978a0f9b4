"""Serving with gunicorn (sync workers): measured faster than ASGI for our views (DESIGN §2)."""

from __future__ import annotations

import multiprocessing

from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from frontoffice.wsgi import application

        return application


def _post_worker_init(worker) -> None:
    """In the embedded default each worker runs the periodic jobs' scheduler (the claim keeps it once)."""
    from frontoffice.core import periodic, tasks

    if tasks.backend() == tasks.INPROCESS:
        periodic.start()


# gunicorn's default line, then the time the request took in the worker, in microseconds.
ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)s'


def serve(*, host: str, port: int, workers: int | None = None) -> None:
    from django.conf import settings
    from django.db import connections

    count = workers or min(2 * multiprocessing.cpu_count() + 1, 8)
    options = {
        "bind": f"{host}:{port}",
        "workers": count,
        "worker_class": "sync",
        "timeout": 60,
        "graceful_timeout": 20,
        "accesslog": settings.ACCESS_LOG or ("-" if settings.DEBUG else None),
        "access_log_format": ACCESS_LOG_FORMAT,
        "errorlog": "-",
        "loglevel": "info",
        "forwarded_allow_ips": settings.FORWARDED_ALLOW_IPS,
        "preload_app": True,
        "post_worker_init": _post_worker_init,
    }
    connections.close_all()  # the migration check's connection must not be shared by the forked workers
    _Gunicorn({k: v for k, v in options.items() if v is not None}).run()
