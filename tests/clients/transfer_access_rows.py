"""Import, export and privacy pages' rows of the access table (see tests/access_table.py);
``tests/clients/access.py`` takes them in next to the other client rows."""

from __future__ import annotations

from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile

from frontoffice.clients.importing import jobs
from frontoffice.core import capabilities as caps
from tests.access_table import Route
from tests.clients.factories import make_client


def populate(world) -> None:
    """An uploaded import of world.org waiting for its columns, and a client (under world.transfer)."""
    owner = world.member(caps.OWNER)
    job = jobs.import_job_create(actor=owner, uploaded_file=SimpleUploadedFile(
        "k.csv", "Imię;Nazwisko;Telefon\nŻaneta;Żółw;600 100 200\n".encode()))
    world.transfer = SimpleNamespace(job=job, client=make_client(owner, first_name="Żaneta", last_name="Żółw"))


def _job(world, member):
    return [world.transfer.job.pk]


def _client(world, member):
    return [world.transfer.client.pk]


ROUTES = [
    Route("GET", "clients:import", "clients.import"),
    Route("POST", "clients:import", "clients.import", ok=(400,)),  # no file in a form-encoded body: the form says so
    Route("GET", "clients:import_job", "clients.import", args=_job),
    Route("POST", "clients:import_job", "clients.import", args=_job, data=lambda w, m: {"action": "cancel"},
          ok=(302,)),
    Route("GET", "clients:export", "clients.export"),
    Route("GET", "clients:export", "clients.export", query=lambda w, m: {"format": "csv", "q": "zolw"},
          label="csv"),
    Route("GET", "clients:privacy_json", "clients.privacy", args=_client),
    Route("GET", "clients:privacy_pdf", "clients.privacy", args=_client),
    Route("GET", "clients:erase", "clients.privacy", args=_client),
    Route("POST", "clients:erase", "clients.privacy", args=_client, data=lambda w, m: {"confirm": "ERASE"},
          ok=(302,)),
]
