"""Where the time of the shell's endpoints goes, in one process (no server, no load generator).

For each endpoint of bench_shell.py, through Django's test client:
- CPU time per request inside Django's handler (thread CPU time, so other processes on the machine
  do not inflate it), split into exclusive parts: decoding the session, prepared querysets
  (core/prepared.py: binding values, building objects), ORM (building querysets; compiling SQL,
  running it and building objects), the database driver itself, reads of the cache of rendered pieces
  (core/fragments.py), the CSRF token, template rendering, URL reversing, django-ninja, and the rest
  (middleware, URL resolving, the view's own code, the response);
- queries per request, and with ``--sql`` their text;
- with ``--profile PATH`` a pyinstrument call tree (``pip install pyinstrument`` into the venv:
  an investigation tool, not a project dependency).

Not a benchmark (run.py only runs ``bench_*.py``): it explains a benchmark's figures.

    python bench/profile_shell.py [--sql] [--profile /] [--database-url postgres://…/bench_x]
"""

from __future__ import annotations

import argparse
import collections
import functools
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from bench_shell import ORG, OWNER, PASSWORD, RECEPTIONIST  # noqa: E402

TOTAL = "total"


class Breakdown:
    """Exclusive CPU time per label: a wrapped call's time minus that of wrapped calls inside it."""

    def __init__(self):
        self.time = collections.Counter()
        self.calls = collections.Counter()
        self.wall = collections.Counter()
        self._stack: list[float] = []
        self.on = False

    def _measure(self, label: str, call):
        if not self.on:
            return call()
        self._stack.append(0.0)
        started = time.thread_time()
        try:
            return call()
        finally:
            elapsed = time.thread_time() - started
            inner = self._stack.pop()
            self.time[label] += elapsed - inner
            self.calls[label] += 1
            if self._stack:
                self._stack[-1] += elapsed

    def wrap(self, owner, name: str, label: str) -> None:
        original = getattr(owner, name)

        @functools.wraps(original)
        def measured(*args, **kwargs):
            return self._measure(label, lambda: original(*args, **kwargs))

        setattr(owner, name, measured)

    def driver(self, execute, sql, params, many, context):
        """A connection.execute_wrapper: the database driver's own share of each query (CPU), and the
        wall-clock time of the call, which also holds the wait for the database server."""
        started = time.perf_counter()
        try:
            return self._measure("database driver (execute + fetch)", lambda: execute(sql, params, many, context))
        finally:
            if self.on:
                self.wall["database driver (execute + fetch)"] += time.perf_counter() - started

    def reset(self):
        self.time.clear()
        self.calls.clear()
        self.wall.clear()


def instrument(breakdown: Breakdown) -> None:
    from django.contrib.sessions.backends.base import SessionBase
    from django.core.cache.backends.locmem import LocMemCache
    from django.core.handlers.base import BaseHandler
    from django.db.models.query import QuerySet
    from django.db.models.sql.compiler import SQLCompiler
    from django.template import context_processors
    from django.template.base import Template
    from django.urls.resolvers import URLResolver
    from ninja.operation import Operation

    from frontoffice.core.prepared import Prepared

    breakdown.wrap(BaseHandler, "get_response", TOTAL)
    breakdown.wrap(SessionBase, "decode", "session (decoding the signed data)")
    breakdown.wrap(Prepared, "__call__", "prepared querysets (binding, building objects)")
    breakdown.wrap(LocMemCache, "get", "cache reads (rendered pieces)")
    breakdown.wrap(context_processors, "get_token", "CSRF token (masking)")
    breakdown.wrap(QuerySet, "_filter_or_exclude", "ORM: building querysets")
    breakdown.wrap(QuerySet, "_chain", "ORM: building querysets")
    breakdown.wrap(QuerySet, "_fetch_all", "ORM: compiling SQL, building objects")
    breakdown.wrap(SQLCompiler, "execute_sql", "ORM: compiling SQL, building objects")
    breakdown.wrap(Template, "render", "template rendering")
    breakdown.wrap(URLResolver, "_reverse_with_prefix", "URL reversing")
    breakdown.wrap(Operation, "run", "django-ninja (parameters, pydantic output)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500, help="requests per timed batch (default 500)")
    parser.add_argument("--batches", type=int, default=3, help="timed batches; the fastest is kept (default 3)")
    parser.add_argument("--sql", action="store_true", help="print the SQL of one steady-state request")
    parser.add_argument("--profile", action="append", default=[], metavar="PATH",
                        help="print a pyinstrument call tree for each case of this path (repeatable)")
    parser.add_argument("--show-all", action="store_true", help="do not hide library frames in call trees")
    parser.add_argument("--database-url", help="FRONTOFFICE_DATABASE_URL (an existing, empty database)")
    args = parser.parse_args(argv)

    own = None
    if not os.environ.get("FRONTOFFICE_DATA_DIR"):
        own = Path(tempfile.mkdtemp(prefix="frontoffice-profile-"))
        os.environ["FRONTOFFICE_DATA_DIR"] = str(own)
    if args.database_url:
        os.environ["FRONTOFFICE_DATABASE_URL"] = args.database_url
    os.environ["FRONTOFFICE_DEBUG"] = "false"
    os.environ.pop("FRONTOFFICE_DEMO", None)
    try:
        harness.cli("demo", "--no-serve", env=dict(os.environ))
        token = harness.cli("token", "create", "--email", RECEPTIONIST, "--org", ORG, "--name", "profile",
                            env=dict(os.environ)).strip()
        run(args, token)
    finally:
        if own is not None:
            shutil.rmtree(own, ignore_errors=True)
    return 0


def run(args, token: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontoffice.settings")
    import trivial_wsgi  # noqa: F401  (sets Django up and adds /bench/trivial)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    def signed_in(email: str) -> Client:
        client = Client(HTTP_HOST="127.0.0.1")
        response = client.post("/account/login/", {"username": email, "password": PASSWORD})
        assert response.status_code == 302, response.status_code
        return client

    anonymous, desk, owner = Client(HTTP_HOST="127.0.0.1"), signed_in(RECEPTIONIST), signed_in(OWNER)
    api = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token}")
    cases = [("/bench/trivial", "anonymous", anonymous), ("/healthz", "anonymous", anonymous),
             ("/healthz", "receptionist", desk), ("/", "receptionist", desk), ("/", "owner", owner),
             ("/api/v1/me", "token", api)]

    breakdown = Breakdown()
    instrument(breakdown)
    print(f"{connection.vendor}; {harness.machine_load()}; CPU ms per request inside Django's handler, best of {args.batches} × "
          f"{args.requests} requests; parts are exclusive (a part's time excludes the parts inside it).")
    baseline = None
    with connection.execute_wrapper(breakdown.driver):
        for path, who, client in cases:
            for _ in range(20):
                response = client.get(path)
            assert response.status_code == 200, (path, who, response.status_code)
            best = None
            for _ in range(args.batches):
                breakdown.reset()
                breakdown.on = True
                for _ in range(args.requests):
                    client.get(path)
                breakdown.on = False
                if best is None or sum(breakdown.time.values()) < best[0]:
                    best = (sum(breakdown.time.values()), dict(breakdown.time), dict(breakdown.calls),
                            dict(breakdown.wall))
            _total, times, calls, wall = best
            with CaptureQueriesContext(connection) as queries:
                client.get(path)
            whole = sum(times.values()) / args.requests * 1000
            baseline = baseline or whole
            print(f"\n{path} as {who}: {whole:.3f} ms, {len(queries)} queries, {baseline / whole:.2f} × the bare "
                  f"view's rate")
            for label, spent in sorted(times.items(), key=lambda item: -item[1]):
                name = "the rest: middleware, URL resolving, view code, response" if label == TOTAL else label
                per_call = calls[label] / args.requests
                print(f"  {spent / args.requests * 1000:7.3f} ms  {spent / sum(times.values()):4.0%}  {name}"
                      + (f"  ({per_call:g} calls)" if label != TOTAL else ""))
            for label, spent in wall.items():
                waiting = (spent - times.get(label, 0)) / args.requests * 1000
                print(f"  + {waiting:.3f} ms waiting on the database server (wall time of the driver calls "
                      f"minus their CPU time; not in the CPU total)")
            if args.sql:
                for query in queries:
                    print(f"    SQL {query['sql'][:400]}")

    for path, who, client in cases:
        if path not in args.profile:
            continue
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.001)
        profiler.start()
        for _ in range(args.requests):
            client.get(path)
        profiler.stop()
        print(f"\n--- {path} as {who}: {args.requests} requests ---")
        print(profiler.output_text(unicode=True, color=False, show_all=args.show_all))


if __name__ == "__main__":
    sys.exit(main())
