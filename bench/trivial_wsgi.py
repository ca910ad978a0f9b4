"""The application as `frontoffice serve` runs it, plus two baselines served by the same server.

- ``/bench/trivial``: a bare Django view appended to ``frontoffice.urls.urlpatterns``. It passes through
  the same middleware as every page (no session cookie is sent to it), but does no work of its own.
- ``/bench/raw``: a plain WSGI callable in front of Django — the server's own ceiling.

``python bench/trivial_wsgi.py HOST PORT WORKERS`` serves it with exactly the options of
``frontoffice.server.serve`` (same worker class, preloading, timeouts); only the loaded app differs.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontoffice.settings")

import django  # noqa: E402

django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402

import frontoffice.urls  # noqa: E402

frontoffice.urls.urlpatterns.append(path("bench/trivial", lambda request: HttpResponse("ok")))
django_application = get_wsgi_application()


def application(environ, start_response):
    if environ.get("PATH_INFO") == "/bench/raw":
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]
    return django_application(environ, start_response)


def main(host: str, port: int, workers: int) -> None:
    from frontoffice import server

    # Reuse the production option set; if server.py changes shape this fails loudly, not silently.
    class BenchGunicorn(server._Gunicorn):
        def load(self):
            return application

    server._Gunicorn = BenchGunicorn
    server.serve(host=host, port=port, workers=workers)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
