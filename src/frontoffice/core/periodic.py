"""Periodic jobs: ``register("reception.anonymise", "frontoffice.reception.tasks.anonymise_all", 60)``.

An app registers its jobs when it is wired (``AppConfig.ready()``); a job is a function that takes no
arguments, run through ``core.tasks.run`` like any task. Who calls ``run_due``:

- ``frontoffice serve`` with ``FRONTOFFICE_TASKS=inprocess``: a scheduler thread in every gunicorn worker;
- ``frontoffice worker`` with ``FRONTOFFICE_TASKS=rq``: a scheduler thread beside the RQ worker;
- ``frontoffice tick``: once, from cron or a systemd timer.

Any number of them may run at once, on any number of machines: a job runs only in the process whose
compare-and-set UPDATE of its ``PeriodicRun.next_run_at`` changed the row, so once per period.
``FRONTOFFICE_PERIODIC=off`` stops the threads (``tick`` still works).
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils import timezone

from frontoffice.core import tasks
from frontoffice.core.models import PeriodicRun

logger = logging.getLogger(__name__)

ROUND_SECONDS = 60


@dataclass(frozen=True)
class Job:
    name: str
    func_path: str
    minutes: int

    @property
    def interval(self) -> timedelta:
        return timedelta(minutes=self.minutes)


_jobs: dict[str, Job] = {}


def register(name: str, func_path: str, minutes: int) -> None:
    """Run ``func_path()`` every ``minutes`` minutes; a job that has never run is due at the next round."""
    if not isinstance(minutes, int) or minutes < 1:
        raise ValueError(f"periodic job {name!r}: minutes must be a whole number, at least 1, not {minutes!r}")
    job = Job(name, func_path, minutes)
    if _jobs.get(name, job) != job:
        raise ValueError(f"periodic job {name!r} is already registered as {_jobs[name]}")
    _jobs[name] = job


def jobs() -> list[Job]:
    return sorted(_jobs.values(), key=lambda job: job.name)


def run_due(now: datetime | None = None) -> list[str]:
    """Run every registered job that is due and that this call claims; return the names of those run.

    A failing job records its error in ``PeriodicRun.last_error`` and is logged; the others still run.
    """
    now = now or timezone.now()
    _add_new_jobs(now)
    ran = []
    for name in _due_names(now):
        job = _jobs[name]
        if _claim(job, now):
            _run(job)
            ran.append(name)
    return ran


def _add_new_jobs(now: datetime) -> None:
    """Give each job seen for the first time its row, due at once."""
    known = set(PeriodicRun.objects.filter(name__in=_jobs).values_list("name", flat=True))
    new = [PeriodicRun(name=name, next_run_at=now) for name in _jobs if name not in known]
    if new:
        PeriodicRun.objects.bulk_create(new, ignore_conflicts=True)  # another worker may add them too


def _due_names(now: datetime) -> list[str]:
    return list(PeriodicRun.objects.filter(name__in=_jobs, next_run_at__lte=now)
                .order_by("next_run_at", "name").values_list("name", flat=True))


def _claim(job: Job, now: datetime) -> bool:
    """The compare-and-set: whoever moves ``next_run_at`` past ``now`` runs the job; the others change 0 rows.

    The next run counts from the start of this minute, so rounds a few seconds late (cron starting a
    process, a long job before this one) do not push a job back by a whole round.
    """
    next_run_at = now.replace(second=0, microsecond=0) + job.interval
    return bool(PeriodicRun.objects.filter(name=job.name, next_run_at__lte=now)
                .update(next_run_at=next_run_at, last_started_at=now))


def _run(job: Job) -> None:
    started = time.monotonic()
    error = ""
    try:
        tasks.run(job.func_path, {})
    except Exception as exc:  # one broken job must not stop the others
        logger.exception("periodic job %s failed", job.name)
        error = "".join(traceback.format_exception_only(exc)).strip()
    else:
        logger.info("periodic job %s ran in %.1f s", job.name, time.monotonic() - started)
    PeriodicRun.objects.filter(name=job.name).update(last_finished_at=timezone.now(), last_error=error)


# --- the scheduler thread ---------------------------------------------------------------------


def start(seconds: int = ROUND_SECONDS) -> threading.Thread | None:
    """Start the scheduler thread (a daemon: it stops with the process), unless FRONTOFFICE_PERIODIC=off."""
    if not getattr(settings, "PERIODIC", True):
        return None
    thread = threading.Thread(target=loop, args=(threading.Event(), seconds), name="periodic", daemon=True)
    thread.start()
    return thread


def loop(stop: threading.Event, seconds: int = ROUND_SECONDS) -> None:
    """Call ``run_due`` now and then every ``seconds`` until ``stop`` is set."""
    while not stop.is_set():
        close_old_connections()
        try:
            run_due()
        except Exception:  # the database may be away for a while: try again next round
            logger.exception("periodic jobs: the round failed")
        finally:
            connections.close_all()  # this thread's connections only; none stays open while it sleeps
        stop.wait(seconds)
