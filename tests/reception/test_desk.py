"""The desk screen and its live lists, walk-ins and invitations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from frontoffice.core import capabilities as caps
from frontoffice.reception.models import Visit
from tests.clients.factories import make_client
from tests.core.factories import DepartmentFactory, SiteFactory
from tests.reception.factories import DeliveryFactory, VisitFactory, WatchlistEntryFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


def page(response) -> str:
    return response.content.decode()


@pytest.fixture(autouse=True)
def _eager_tasks(settings):
    settings.TASKS_EAGER = True  # e-mails are sent in the request, into the outbox


@pytest.fixture
def site(org):
    return org.sites.get()


@pytest.fixture
def desk(receptionist, signed_in):
    return signed_in(receptionist)


@pytest.fixture
def host(org, make_member):
    return make_member(org, caps.EXECUTIVE)


def _visit(site, host, **kwargs):
    return VisitFactory(site=site, host_member=host, **kwargs)


# --- the desk screen ---------------------------------------------------------------------------

def test_desk_lists_expected_waiting_with_host_left_and_packages(desk, site, host):
    now = timezone.now()
    _visit(site, host, visitor_name="Ewa Oczekiwana", visitor_company="Acme")
    _visit(site, host, visitor_name="Adam Czekający", status=Visit.ARRIVED, arrived_at=now - timedelta(minutes=3))
    _visit(site, host, visitor_name="Olga Zajęta", status=Visit.WITH_HOST, arrived_at=now - timedelta(minutes=30),
           host_met_at=now - timedelta(minutes=20))
    _visit(site, host, visitor_name="Piotr Wyszedł", status=Visit.LEFT, arrived_at=now - timedelta(hours=1),
           left_at=now - timedelta(minutes=5), check_out_via="desk")
    DeliveryFactory(site=site, carrier="InPost", recipient=host, storage_spot="Shelf B")
    html = page(desk.get(reverse("reception:desk")))
    for name in ("Ewa Oczekiwana", "Acme", "Adam Czekający", "Olga Zajęta", "Piotr Wyszedł", "InPost", "Shelf B"):
        assert name in html
    assert html.index("Adam Czekający") < html.index("Ewa Oczekiwana")  # waiting comes first
    assert 'hx-get="%s?site=%s"' % (reverse("reception:desk_live"), site.pk) in html
    assert 'hx-trigger="every 3s"' in html
    assert "reception/desk.js" in html and "<script>" not in html  # no inline script (CSP)


def test_waiting_visitor_has_a_timer_from_arrival_and_turns_overdue_past_the_target(desk, site, host, org):
    org.settings = {"wait_target_minutes": 5}
    org.save()
    arrived = timezone.now() - timedelta(minutes=7)
    visit = _visit(site, host, status=Visit.ARRIVED, arrived_at=arrived)
    html = page(desk.get(reverse("reception:desk_live"), {"site": site.pk}, **HTMX))
    assert f'data-since="{timezone.localtime(arrived).isoformat()}"' in html
    assert 'data-target="300"' in html
    row = html.split(f'href="{reverse("reception:visit", args=[visit.pk])}"')[0].rsplit("<tr", 1)[1]
    assert 'class="overdue"' in row
    assert "red after 5 minutes" in html


def test_live_partial_is_the_lists_only(desk, site, host):
    _visit(site, host, visitor_name="Ewa Oczekiwana")
    response = desk.get(reverse("reception:desk_live"), {"site": site.pk}, **HTMX)
    html = page(response)
    assert response.status_code == 200
    assert "<html" not in html and "Ewa Oczekiwana" in html and 'data-now="' in html


def test_action_buttons_have_stable_ids_so_focus_survives_the_refresh(desk, site, host):
    expected = _visit(site, host)
    waiting = _visit(site, host, status=Visit.ARRIVED, arrived_at=timezone.now())
    html = page(desk.get(reverse("reception:desk_live"), {"site": site.pk}))
    assert f'id="in-{expected.pk}"' in html
    for prefix in ("greet", "host-met", "badge", "out-w"):
        assert f'id="{prefix}-{waiting.pk}"' in html
    assert f'name="next" value="{reverse("reception:desk")}?site={site.pk}"' in html


def test_held_visit_shows_in_red_and_only_a_manager_gets_admit_and_turn_away(desk, site, host, manager,
                                                                             signed_in):
    held = _visit(site, host, visitor_name="Jan Nowak", held_at=timezone.now())
    html = page(desk.get(reverse("reception:desk")))
    assert 'class="card held"' in html and "Call a manager" in html and "Jan Nowak" in html
    assert reverse("reception:visit_admit", args=[held.pk]) not in html
    boss = page(signed_in(manager).get(reverse("reception:desk")))
    assert reverse("reception:visit_admit", args=[held.pk]) in boss
    assert reverse("reception:visit_turn_away", args=[held.pk]) in boss


def test_visitor_of_another_site_or_organisation_is_not_on_the_desk(desk, org, site, host, other_org, make_member):
    annex = SiteFactory(organization=org, name="Annex")
    _visit(annex, host, visitor_name="Anna Gdzieindziej")
    stranger_host = make_member(other_org, caps.EXECUTIVE)
    _visit(other_org.sites.get(), stranger_host, visitor_name="Obcy Człowiek")
    html = page(desk.get(reverse("reception:desk"), {"site": site.pk}))
    assert "Anna Gdzieindziej" not in html and "Obcy Człowiek" not in html
    assert "Anna Gdzieindziej" in page(desk.get(reverse("reception:desk"), {"site": annex.pk}))


def test_site_picker_shows_for_several_sites_and_remembers_the_choice(desk, receptionist, org, site, host):
    annex = SiteFactory(organization=org, name="Annex")
    receptionist.sites.add(annex)
    _visit(annex, host, visitor_name="Anna Annex")
    html = page(desk.get(reverse("reception:desk")))
    assert 'id="desk-site"' in html and "Anna Annex" not in html  # the first site by name
    desk.get(reverse("reception:desk"), {"site": annex.pk})
    assert "Anna Annex" in page(desk.get(reverse("reception:desk")))


def test_one_site_shows_no_picker(desk):
    assert 'id="desk-site"' not in page(desk.get(reverse("reception:desk")))


def test_site_of_another_organisation_is_404(desk, other_org):
    assert desk.get(reverse("reception:desk"), {"site": other_org.sites.get().pk}).status_code == 404
    assert desk.get(reverse("reception:desk_live"), {"site": "abc"}).status_code == 404


def test_keyboard_shortcuts_are_declared(desk):
    html = page(desk.get(reverse("reception:desk")))
    assert 'id="desk-walk-in"' in html and 'aria-keyshortcuts="n"' in html
    assert 'id="desk-q"' in html and 'aria-keyshortcuts="/"' in html


def test_auditor_sees_the_desk_without_action_buttons(org, auditor, signed_in, site, host):
    expected = _visit(site, host)
    html = page(signed_in(auditor).get(reverse("reception:desk")))
    assert expected.visitor_name in html
    assert reverse("reception:visit_check_in", args=[expected.pk]) not in html
    assert 'id="desk-walk-in"' not in html


def test_desk_partial_query_count_is_constant_with_500_visits_today(desk, site, host, make_member, org,
                                                                  django_assert_max_num_queries):
    now = timezone.now()
    hosts = [make_member(org, caps.EXECUTIVE) for _ in range(5)]
    client = make_client(hosts[0], first_name="Jan", last_name="Klient")
    statuses = [
        dict(status=Visit.EXPECTED),
        dict(status=Visit.ARRIVED, arrived_at=now - timedelta(minutes=12), greeted_at=now),
        dict(status=Visit.WITH_HOST, arrived_at=now - timedelta(minutes=40), host_met_at=now - timedelta(minutes=30)),
        dict(status=Visit.LEFT, arrived_at=now - timedelta(hours=1), left_at=now - timedelta(minutes=2)),
        dict(status=Visit.EXPECTED, held_at=now),
    ]
    start = timezone.localtime(now).replace(hour=0, minute=1)
    Visit.objects.bulk_create([
        Visit(organization=org, site=site, visitor_name=f"Visitor {n}", host_member=hosts[n % 5],
              client=client if n % 7 == 0 else None, visit_type="patient", code=f"Q{n:09d}",
              expected_at=start + timedelta(minutes=n % 1400), **statuses[n % 5])
        for n in range(500)])
    for _ in range(5):
        DeliveryFactory(site=site, recipient=hosts[1])
    desk.get(reverse("reception:desk_live"), {"site": site.pk})  # warm the session
    with django_assert_max_num_queries(12):  # the request's own 4 (the sites too); counts, 6 lists, parcels: 8
        response = desk.get(reverse("reception:desk_live"), {"site": site.pk}, **HTMX)
    assert response.status_code == 200 and "Visitor 499" in page(response)


def _day_of(site, host, status: str, n: int, **times):
    """``n`` visits today in ``status``; the i-th has every time of ``times`` (minutes from now) plus i."""
    now = timezone.now()
    return Visit.objects.bulk_create([
        Visit(organization=site.organization, site=site, visitor_name=f"{status.title()} Visitor {i:03d}",
              host_member=host, visit_type="patient", code=f"{status[:2].upper()}{i:08d}", status=status,
              **{field: now + timedelta(minutes=minutes + i) for field, minutes in times.items()})
        for i in range(n)])


def test_desk_shows_the_longest_waiting_50_with_an_exact_count_and_a_link_to_the_rest(desk, site, host):
    _day_of(site, host, Visit.ARRIVED, 60, arrived_at=-200)  # Arrived Visitor 000 has waited longest
    html = page(desk.get(reverse("reception:desk_live"), {"site": site.pk}, **HTMX))
    assert "Arrived Visitor 049" in html and "Arrived Visitor 050" not in html
    waiting = html.split('id="waiting-title"')[1].split("</section>")[0]
    assert '<span class="count">60</span>' in waiting and waiting.count("<tr") == 50
    assert "<strong>60</strong> waiting" in html  # the header's total is exact
    link = f'{reverse("reception:today")}?site={site.pk}&amp;status=waiting'
    assert f'<a id="more-waiting" href="{link}">and 10 more waiting</a>' in html


def test_desk_shows_late_and_the_next_30_expected_and_counts_the_rest(desk, site, host):
    now = timezone.localtime()
    minutes_left = int((now.replace(hour=23, minute=59) - now).total_seconds() // 60)
    if minutes_left < 120:
        pytest.skip("too close to midnight for 40 visits later today")
    _day_of(site, host, Visit.EXPECTED, 40, expected_at=1)
    _day_of(site, host, Visit.LEFT, 20, left_at=-min(100, now.hour * 60 + now.minute))
    html = page(desk.get(reverse("reception:desk_live"), {"site": site.pk}, **HTMX))
    expected = html.split('id="expected-title"')[1].split("</section>")[0]
    assert expected.count("<tr") == 30 and "Expected Visitor 029" in expected and "Expected Visitor 030" not in html
    assert '<span class="count">40</span>' in expected and "10 more later today" in expected
    left = html.split('id="left-title"')[1].split("</section>")[0]
    assert left.count("<tr") == 15 and "Left Visitor 019" in left and "Left Visitor 004" not in left  # latest first
    assert "and 5 earlier" in left and "<strong>20</strong> left" in html


def test_desk_with_few_visitors_shows_them_all_and_no_more_links(desk, site, host):
    _day_of(site, host, Visit.WITH_HOST, 3, arrived_at=-30, host_met_at=-20)
    html = page(desk.get(reverse("reception:desk_live"), {"site": site.pk}, **HTMX))
    with_host = html.split('id="with-host-title"')[1].split("</section>")[0]
    assert with_host.count("<tr") == 3 and 'class="desk-more"' not in html


def test_the_more_link_leads_to_todays_visits_of_that_list_a_page_at_a_time_with_their_actions(desk, site, host):
    made = _day_of(site, host, Visit.ARRIVED, 60, arrived_at=-200)
    _day_of(site, host, Visit.EXPECTED, 2, expected_at=1)
    html = page(desk.get(reverse("reception:today"), {"site": site.pk, "status": "waiting"}))
    assert html.count("<tr") == 50 and "Arrived Visitor 000" in html and "Expected Visitor" not in html
    assert f'id="host-met-{made[0].pk}"' in html  # the desk's own rows: the receptionist can act here
    assert f'name="next" value="{reverse("reception:today")}?site={site.pk}&amp;status=waiting"' in html
    assert 'id="page-next"' in html and "Page 1 of 2" in html
    second = page(desk.get(reverse("reception:today"), {"site": site.pk, "status": "waiting", "page": 2}))
    assert second.count("<tr") == 10 and "Arrived Visitor 059" in second and "Arrived Visitor 049" not in second
    assert f'name="next" value="{reverse("reception:today")}?site={site.pk}&amp;status=waiting&amp;page=2"' in second


def test_todays_visits_without_a_status_lists_every_list_and_counts_each(desk, site, host):
    _day_of(site, host, Visit.ARRIVED, 2, arrived_at=-20)
    _day_of(site, host, Visit.EXPECTED, 3, expected_at=1)
    _day_of(site, host, Visit.CANCELLED, 1, expected_at=1)
    html = page(desk.get(reverse("reception:today"), {"site": site.pk, "status": "nonsense"}))
    assert html.count("<tr") == 5 and "Cancelled Visitor" not in html
    assert 'id="today-waiting"' in html and '<span class="count">3</span>' in html


def test_todays_visits_of_another_site_is_404_and_an_auditor_gets_no_buttons(desk, other_org, auditor, signed_in,
                                                                            site, host):
    assert desk.get(reverse("reception:today"), {"site": other_org.sites.get().pk}).status_code == 404
    made = _day_of(site, host, Visit.EXPECTED, 1, expected_at=1)
    html = page(signed_in(auditor).get(reverse("reception:today"), {"status": "expected"}))
    assert "Expected Visitor 000" in html and f'id="in-{made[0].pk}"' not in html


# --- walk-ins ----------------------------------------------------------------------------------

def test_walk_in_page_focuses_the_search(desk):
    html = page(desk.get(reverse("reception:walk_in")))
    assert 'id="walkin-q"' in html and "autofocus" in html.split('id="walkin-q"')[0].rsplit("<input", 1)[1] + \
        html.split('id="walkin-q"')[1].split(">", 1)[0]


def test_walk_in_search_as_you_type_answers_htmx_with_matching_clients(desk, receptionist):
    make_client(receptionist, first_name="Anna", last_name="Żółw", phones=["600 100 200"])
    make_client(receptionist, first_name="Jan", last_name="Kowalski")
    response = desk.get(reverse("reception:walk_in"), {"q": "zolw"}, **HTMX)
    html = page(response)
    assert response.status_code == 200 and "<html" not in html
    assert "Anna Żółw" in html and "Jan Kowalski" not in html and "+48 600 100 200" in html
    assert 'name="client"' in html


def test_walk_in_of_an_existing_client_checks_in_and_links_the_client(desk, receptionist, site, host):
    client = make_client(receptionist, first_name="Anna", last_name="Klientka", emails=["anna@example.com"])
    response = desk.post(reverse("reception:walk_in"), {"client": client.pk, "host": f"m{host.pk}",
                                                       "visit_type": "patient", "purpose": "Check-up"})
    assert response.status_code == 302 and response["Location"] == reverse("reception:desk")
    visit = Visit.objects.get()
    assert visit.client == client and visit.status == Visit.ARRIVED and visit.visitor_name == "Anna Klientka"
    assert visit.greeted_by == receptionist and visit.site == site and visit.badge_number
    assert "is checked in" in page(desk.get(response["Location"]))


def test_walk_in_of_a_new_person_and_added_as_client(desk, site, host):
    from frontoffice.clients.models import Client

    response = desk.post(reverse("reception:walk_in"), {
        "client": "", "visitor_name": "Olga Nowa", "visitor_phone": "601 200 300", "visitor_company": "Firma",
        "visitor_email": "olga@example.com", "add_as_client": "on", "host": f"m{host.pk}", "visit_type": "visitor"})
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert visit.visitor_phone == "+48601200300" and visit.visitor_company == "Firma"
    assert visit.client is not None and Client.objects.get().pk == visit.client_id


def test_walk_in_to_a_department(desk, org, site):
    department = DepartmentFactory(organization=org, name="Accounts")
    desk.post(reverse("reception:walk_in"), {"visitor_name": "Olga Nowa", "host": f"d{department.pk}",
                                             "visit_type": "visitor"})
    assert Visit.objects.get().host_department == department


@pytest.mark.parametrize("data, field, message", [
    ({"visitor_name": ""}, "visitor_name", "type the visitor's name"),
    ({"host": ""}, "host", ""),
    ({"visitor_email": "not-an-email"}, "visitor_email", "valid email"),
    ({"visitor_phone": "12"}, "visitor_phone", "phone"),
    ({"visit_type": "spaceship"}, "visit_type", "valid choice"),
    ({"client": "999999"}, "client", "search again"),
])
def test_walk_in_bad_input_changes_nothing_and_keeps_what_was_typed(desk, host, data, field, message):
    form = {"visitor_name": "Olga Nowa", "visitor_company": "Firma Typed", "host": f"m{host.pk}",
            "visit_type": "visitor", "purpose": "Typed purpose", **data}
    response = desk.post(reverse("reception:walk_in"), form)
    html = page(response)
    assert response.status_code == 400
    assert not Visit.objects.exists()
    assert "Firma Typed" in html and "Typed purpose" in html
    assert message.lower() in html.lower().replace("&#x27;", "'")
    assert 'class="field has-error' in html or 'class="error"' in html


def test_walk_in_shows_every_mistake_at_once(desk):
    html = page(desk.post(reverse("reception:walk_in"), {"visitor_name": "", "host": "", "visit_type": "visitor"}))
    assert "type the visitor&#x27;s name" in html and "Choose the host" in html
    assert not Visit.objects.exists()


def test_walk_in_of_someone_on_the_watchlist_is_held_and_the_desk_asked_to_call_a_manager(desk, org, host):
    WatchlistEntryFactory(organization=org, full_name="Jan Nowak")
    response = desk.post(reverse("reception:walk_in"), {"visitor_name": "Nowak Jan", "host": f"m{host.pk}",
                                                       "visit_type": "visitor"}, follow=True)
    html = page(response)
    visit = Visit.objects.get()
    assert visit.held_at is not None and visit.status == Visit.EXPECTED
    assert "Ask a manager to come to the desk." in html and "Threatened staff" not in html
    assert 'class="card held"' in html


def test_walk_in_for_a_name_typed_on_the_desk_starts_with_it(desk):
    html = page(desk.get(reverse("reception:walk_in"), {"q": "Olga Nowa"}))
    assert 'value="Olga Nowa"' in html


def test_walk_in_is_refused_to_an_auditor(auditor, signed_in, host):
    response = signed_in(auditor).post(reverse("reception:walk_in"), {"visitor_name": "X", "host": f"m{host.pk}",
                                                                      "visit_type": "visitor"})
    assert response.status_code == 403 and not Visit.objects.exists()


# --- invitations -------------------------------------------------------------------------------

def _invite_form(the_host, the_site, **changes):
    when = timezone.localtime(timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    return {"visitor_name": "Piotr Gość", "visitor_company": "Gość S.A.", "visitor_email": "piotr@example.com",
            "host": f"m{the_host.pk}", "site": the_site.pk, "expected_at": when, "visit_type": "visitor",
            "purpose": "Contract talk", "send_invitation": "on", **changes}


def test_invite_defaults_the_host_to_the_member(org, make_member, signed_in):
    executive = make_member(org, caps.EXECUTIVE)
    html = page(signed_in(executive).get(reverse("reception:invite")))
    assert f'<option value="m{executive.pk}" selected>' in html


def test_invite_creates_an_expected_visit_and_sends_the_invitation(org, make_member, signed_in, site, host,
                                                                  mailoutbox):
    assistant = make_member(org, caps.ADMIN_ASSISTANT)
    web = signed_in(assistant)
    response = web.post(reverse("reception:invite"), _invite_form(host, site))
    visit = Visit.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reception:visit", args=[visit.pk])
    assert visit.status == Visit.EXPECTED and visit.host_member == host and visit.invited_by == assistant
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["piotr@example.com"]
    assert "invitation is on its way" in page(web.get(response["Location"]))


def test_invite_without_sending_tells_no_one(desk, site, host, mailoutbox):
    form = _invite_form(host, site)
    del form["send_invitation"]
    assert desk.post(reverse("reception:invite"), form).status_code == 302
    assert Visit.objects.count() == 1 and mailoutbox == []


@pytest.mark.parametrize("changes, message", [
    ({"expected_at": "2001-01-01T10:00"}, "This time has passed"),
    ({"expected_at": ""}, "When is the visitor coming?"),
    ({"expected_at": "tomorrow-ish"}, "valid date"),
    ({"host": ""}, "host"),
    ({"visitor_name": ""}, "Type the visitor's name"),
    ({"visitor_email": "piotr@"}, "valid email"),
    ({"site": "999999"}, "valid choice"),
])
def test_invite_bad_input_changes_nothing_and_keeps_what_was_typed(desk, site, host, changes, message, mailoutbox):
    response = desk.post(reverse("reception:invite"), _invite_form(host, site, **changes))
    html = page(response).replace("&#x27;", "'")
    assert response.status_code == 400
    assert not Visit.objects.exists() and mailoutbox == []
    assert message.lower() in html.lower()
    assert "Contract talk" in html and "Gość S.A." in html


def test_invite_is_refused_to_an_auditor(auditor, signed_in, site, host):
    assert signed_in(auditor).post(reverse("reception:invite"), _invite_form(host, site)).status_code == 403
    assert not Visit.objects.exists()
