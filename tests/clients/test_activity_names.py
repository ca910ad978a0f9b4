"""The activity log holds client ids only; pages show the client's current name."""

from frontoffice.clients import services
from tests.clients.factories import make_client


def test_dashboard_and_audit_show_client_names_not_stored_in_the_log(owner, signed_in):
    client = make_client(owner, first_name="Bożena", last_name="Król")
    activity = owner.organization.activities.get(verb="client.created")
    assert activity.subject_label == "" and activity.client_id == client.pk
    browser = signed_in(owner)
    assert "Bożena Król" in browser.get("/").content.decode()
    assert "Bożena Król" in browser.get("/activity/").content.decode()


def test_after_erasure_the_log_shows_the_pseudonym(owner, signed_in):
    client = make_client(owner, first_name="Bożena", last_name="Król")
    services.client_erase(actor=owner, client=client)
    page = signed_in(owner).get("/activity/").content.decode()
    assert "Bożena" not in page and services.pseudonym(client) in page


def test_dashboard_shows_the_clients_panel_with_recent_records(owner, signed_in):
    make_client(owner, first_name="Łucja", last_name="Ćwik")
    page = signed_in(owner).get("/").content.decode()
    assert "Łucja Ćwik" in page and 'action="/clients/"' in page
