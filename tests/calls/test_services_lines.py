"""Phone lines, the greeting recording and ring groups (services.lines)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from frontoffice.calls.models import Line, RingGroup, RingMember
from frontoffice.calls.services import lines
from frontoffice.core import capabilities as caps
from frontoffice.core.models import Activity
from tests.calls.factories import CallFactory, LineFactory, RingGroupFactory, RingMemberFactory
from tests.core.factories import DepartmentFactory, SiteFactory

MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x0f" + b"\x00" * 64
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 64


@pytest.fixture
def site(org):
    return org.sites.get()


@pytest.fixture
def sales(org, site):
    return DepartmentFactory(organization=org, site=site, name="Sales")


@pytest.fixture
def desk(org, site):
    department = DepartmentFactory(organization=org, site=site, name="Reception")
    return RingGroupFactory(department=department, is_desk=True)


def _refused(call) -> dict:
    with pytest.raises(ValidationError) as refused:
        call()
    return refused.value.message_dict


# --- lines ---------------------------------------------------------------------------------------

def test_line_create_normalises_the_number_and_sets_a_default_flow(org, manager, site):
    line = lines.line_create(actor=manager, number="22 123 45 67", label="  Main   number ", site=site)
    assert (line.number, line.label, line.site, line.department, line.active) == (
        "+48221234567", "Main number", site, None, True)
    assert line.flow["greeting_text"] == "Thank you for calling Alpha Clinic."
    assert line.flow["menu"] == {} and line.flow["department_id"] is None  # no menu: the desk
    entry = Activity.objects.get(verb="line.created")
    assert (entry.actor, entry.subject_id, entry.site, entry.data) == (manager, str(line.pk), site,
                                                                       {"number": "+48221234567"})


def test_a_direct_line_rings_its_department(manager, site, sales):
    line = lines.line_create(actor=manager, number="+48 58 123 45 67", label="Sales", site=site,
                             department=sales)
    assert line.department == sales and line.flow["department_id"] == sales.pk


def test_the_greeting_is_in_the_organisations_language_not_the_users(org, manager, site):
    org.language = "pl"
    org.save()
    with translation.override("en"):
        line = lines.line_create(actor=manager, number="221234567", label="Main", site=site)
    with translation.override("pl"):
        expected = translation.gettext("Thank you for calling %(name)s.") % {"name": org.name}
    assert line.flow["greeting_text"] == expected


def test_lines_go_after_the_others_unless_placed(manager, site):
    first = lines.line_create(actor=manager, number="221234567", label="One", site=site)
    second = lines.line_create(actor=manager, number="221234568", label="Two", site=site)
    placed = lines.line_create(actor=manager, number="221234569", label="Three", site=site, position=0)
    assert (first.position, second.position, placed.position) == (0, 1, 0)


def test_a_number_in_use_by_another_organisation_is_refused_without_saying_whose(manager, site, other_org):
    LineFactory(site=other_org.sites.get(), number="+48221234567")
    errors = _refused(lambda: lines.line_create(actor=manager, number="+48 22 123 45 67", label="X",
                                                site=site))
    assert errors == {"number": ["This number is already in use."]}
    assert "Beta" not in str(errors)


def test_a_number_of_ones_own_removed_line_says_to_switch_it_on(org, manager, site):
    LineFactory(site=site, number="+48221234567", active=False)
    errors = _refused(lambda: lines.line_create(actor=manager, number="221234567", label="X", site=site))
    assert "switch that line on again" in errors["number"][0]


def test_line_create_reports_every_bad_field_at_once(manager, other_org):
    foreign_site = other_org.sites.get()
    foreign_department = DepartmentFactory(organization=other_org)
    errors = _refused(lambda: lines.line_create(actor=manager, number="12", label=" ", site=foreign_site,
                                                department=foreign_department, position=-1))
    assert set(errors) == {"number", "label", "site", "department", "position"}
    assert not Line.objects.exists() and not Activity.objects.exists()


def test_closed_sites_and_switched_off_departments_are_refused(org, manager, site):
    closed = SiteFactory(organization=org, active=False)
    off = DepartmentFactory(organization=org, active=False)
    errors = _refused(lambda: lines.line_create(actor=manager, number="221234567", label="X", site=closed,
                                                department=off))
    assert set(errors) == {"site", "department"}


def test_two_active_lines_cannot_share_a_name(manager, site):
    LineFactory(site=site, label="Main")
    errors = _refused(lambda: lines.line_create(actor=manager, number="221234567", label="main", site=site))
    assert set(errors) == {"label"}


def test_line_update_records_what_changed_and_a_direct_lines_flow_follows_its_department(manager, site,
                                                                                         sales):
    support = DepartmentFactory(organization=site.organization, site=site, name="Support")
    line = lines.line_create(actor=manager, number="221234567", label="Sales", site=site, department=sales)
    lines.line_update(actor=manager, line=line, label="Support", department=support, number="221234567")
    line.refresh_from_db()
    assert (line.label, line.department, line.flow["department_id"]) == ("Support", support, support.pk)
    entry = Activity.objects.filter(verb="line.updated").get()
    assert entry.data == {"changes": {"label": ["Sales", "Support"], "department": [sales.pk, support.pk]}}


def test_line_update_without_changes_records_nothing(manager, site):
    line = LineFactory(site=site, label="Main")
    lines.line_update(actor=manager, line=line, label="Main")
    assert not Activity.objects.exists()


def test_line_update_refuses_unknown_fields_and_a_taken_number(manager, site):
    line = LineFactory(site=site)
    LineFactory(site=site, number="+48221234567")
    assert set(_refused(lambda: lines.line_update(actor=manager, line=line, flow={}))) == {"flow"}
    taken = _refused(lambda: lines.line_update(actor=manager, line=line, number="221234567"))
    assert set(taken) == {"number"}


def test_a_removed_line_can_be_switched_on_again(manager, site):
    line = LineFactory(site=site, active=False)
    lines.line_update(actor=manager, line=line, active=True)
    line.refresh_from_db()
    assert line.active


def test_line_remove_deletes_a_line_without_calls_and_its_recording(manager, site,
                                                                    django_capture_on_commit_callbacks):
    name = default_storage.save("calls/greetings/old.mp3", ContentFile(MP3))
    line = LineFactory(site=site, label="Old fax", greeting_recording=name)
    pk = line.pk
    with django_capture_on_commit_callbacks(execute=True):
        assert lines.line_remove(actor=manager, line=line) is None
    assert not Line.objects.filter(pk=pk).exists() and not default_storage.exists(name)
    entry = Activity.objects.get(verb="line.removed")
    assert entry.data["line_id"] == pk and entry.subject_label == "Old fax"


def test_line_remove_switches_off_a_line_with_calls(manager, site):
    line = LineFactory(site=site)
    CallFactory(line=line)
    assert lines.line_remove(actor=manager, line=line) == line
    line.refresh_from_db()
    assert not line.active and line.calls.count() == 1
    assert Activity.objects.get(verb="line.removed").data["kept_for_the_call_log"] is True
    lines.line_remove(actor=manager, line=line)  # twice: nothing more happens
    assert Activity.objects.filter(verb="line.removed").count() == 1


# --- the greeting recording ----------------------------------------------------------------------

def _flow(**fields) -> dict:
    return {"greeting_text": "Hello", "menu": {}, "menu_prompt": "", "department_id": None,
            "after_hours_text": "", "after_hours_voicemail": True, "voicemail_text": "",
            "queue_max_seconds": 300} | fields


@pytest.mark.parametrize("head, content_type", [(MP3, "audio/mpeg"), (b"\xff\xfb\x90\x00" + b"\x00" * 32,
                                                                        "audio/mpeg"), (WAV, "audio/wav")])
def test_audio_type_knows_mp3_and_wav_by_their_first_bytes(head, content_type):
    assert lines.audio_type(head[:16])[0] == content_type


def test_a_recording_gets_a_signed_public_url_that_serves_it(org, manager, site, settings):
    settings.PUBLIC_URL = "https://office.example.com"
    line = LineFactory(site=site)
    upload = SimpleUploadedFile("my greeting (final).mp3", MP3, content_type="audio/mpeg")
    line = lines.line_flow_save(actor=manager, line=line, flow=_flow(), recording=upload)
    line.refresh_from_db()
    name = line.greeting_recording.name
    assert name.startswith("calls/greetings/") and name.endswith(".mp3") and "final" not in name
    url = line.flow["greeting_url"]
    assert url.startswith("https://office.example.com/calls/greetings/") and lines.greeting_key(line) in url
    response = Client().get(url.removeprefix("https://office.example.com"))
    assert response.status_code == 200 and response["Content-Type"] == "audio/mpeg"
    assert b"".join(response.streaming_content) == MP3
    wrong = Client().get(url.removeprefix("https://office.example.com")[:-3] + "xx/")
    assert wrong.status_code == 404
    assert Activity.objects.filter(verb="line.updated").get().data == {
        "changes": {"greeting_recording": [False, True]}}


def test_a_new_recording_replaces_the_old_file_and_removing_goes_back_to_the_text(
        manager, site, django_capture_on_commit_callbacks):
    line = LineFactory(site=site)
    with django_capture_on_commit_callbacks(execute=True):
        lines.line_flow_save(actor=manager, line=line, flow=_flow(),
                             recording=SimpleUploadedFile("a.mp3", MP3))
    first = line.greeting_recording.name
    with django_capture_on_commit_callbacks(execute=True):
        lines.line_flow_save(actor=manager, line=line, flow=_flow(),
                             recording=SimpleUploadedFile("b.wav", WAV))
    second = line.greeting_recording.name
    assert second.endswith(".wav") and not default_storage.exists(first) and default_storage.exists(second)
    with django_capture_on_commit_callbacks(execute=True):
        lines.line_flow_save(actor=manager, line=line, flow=_flow(), remove_recording=True)
    line.refresh_from_db()
    assert not line.greeting_recording and line.flow["greeting_url"] == ""
    assert not default_storage.exists(second)


def test_a_file_that_is_not_audio_or_too_big_is_refused(manager, site, settings):
    line = LineFactory(site=site)
    fake = SimpleUploadedFile("greeting.mp3", b"<html>not audio</html>", content_type="audio/mpeg")
    errors = _refused(lambda: lines.line_flow_save(actor=manager, line=line, flow=_flow(), recording=fake))
    assert "not an MP3 or WAV" in errors["greeting_recording"][0]
    big = SimpleUploadedFile("big.mp3", MP3 + b"\x00" * lines.GREETING_MAX_BYTES)
    errors = _refused(lambda: lines.line_flow_save(actor=manager, line=line, flow=_flow(), recording=big))
    assert "the most it may be is 5.0" in errors["greeting_recording"][0]
    line.refresh_from_db()
    assert not line.greeting_recording


def test_a_refused_flow_keeps_no_recording(manager, site):
    line = LineFactory(site=site)
    upload = SimpleUploadedFile("a.mp3", MP3)
    errors = _refused(lambda: lines.line_flow_save(actor=manager, line=line, flow=_flow(queue_max_seconds=5),
                                                   recording=upload))
    assert set(errors) == {"queue_max_seconds"}
    assert not line.greeting_recording
    line.refresh_from_db()
    assert not line.greeting_recording
    assert not default_storage.exists("calls/greetings") or not default_storage.listdir("calls/greetings")[1]


def test_the_recording_url_is_the_services_not_the_callers(manager, site):
    line = LineFactory(site=site)
    flow = _flow(greeting_url="https://evil.example/a.mp3")
    saved = lines.line_flow_save(actor=manager, line=line, flow=flow)
    assert saved.flow["greeting_url"] == ""


# --- ring groups ---------------------------------------------------------------------------------

def _save(actor, department, **fields):
    arguments = {"strategy": "parallel", "ring_seconds": 20, "overflow": "voicemail", "targets": []} | fields
    return lines.ring_group_save(actor=actor, department=department, **arguments)


def test_ring_group_save_cleans_every_kind_of_target(org, manager, sales, make_member):
    anna = make_member(org, caps.RECEPTIONIST, phone="601 100 200")
    group = _save(manager, sales, strategy="serial", targets=[
        {"member_id": anna.pk, "target": "", "ring_seconds": 10},
        {"member_id": None, "target": "+48 602 100 200", "ring_seconds": 15},
        {"member_id": None, "target": "SIP:desk@pbx.example.com", "ring_seconds": 20},
        {"member_id": anna.pk, "target": "12 34", "ring_seconds": 25},
    ])
    rows = list(group.targets.values_list("member_id", "target", "ring_seconds", "position"))
    assert rows == [(anna.pk, "", 10, 0), (None, "+48602100200", 15, 1),
                    (None, "sip:desk@pbx.example.com", 20, 2), (anna.pk, "1234", 25, 3)]
    assert (group.organization, group.strategy, group.opening_hours, group.is_desk) == (
        org, "serial", {}, False)
    entry = Activity.objects.get(verb="ring_group.saved")
    assert entry.data["before"] is None and entry.data["after"]["targets"][1] == [None, "+48602100200", 15]


def test_saving_again_replaces_the_phones_and_records_before_and_after(manager, sales):
    _save(manager, sales, targets=[{"member_id": None, "target": "601100200", "ring_seconds": 15}])
    extension = [{"member_id": None, "target": "44", "ring_seconds": 15}]
    group = _save(manager, sales, ring_seconds=30, targets=extension)
    assert list(group.targets.values_list("target", flat=True)) == ["44"]
    assert RingGroup.objects.count() == 1 and RingMember.objects.count() == 1
    last = Activity.objects.filter(verb="ring_group.saved").latest("id").data
    assert last["before"]["ring_seconds"] == 20 and last["after"]["ring_seconds"] == 30
    _save(manager, sales, ring_seconds=30, targets=[{"member_id": None, "target": "44", "ring_seconds": 15}])
    assert Activity.objects.filter(verb="ring_group.saved").count() == 2  # nothing changed: nothing recorded


@pytest.mark.parametrize("target, problem", [
    ({"member_id": None, "target": "call me", "ring_seconds": 15}, "is not a phone number, a SIP address"),
    ({"member_id": None, "target": "sip:nohost", "ring_seconds": 15}, "sip:name@host"),
    ({"member_id": None, "target": "1", "ring_seconds": 15}, "is not a phone number"),
    ({"member_id": None, "target": "", "ring_seconds": 15}, "Give a member, a number or both."),
    ({"member_id": None, "target": "44", "ring_seconds": 2}, "Ring for 5 to 120 seconds."),
    ({"member_id": 999999, "target": "44", "ring_seconds": 15}, "Choose an active member"),
    ("44", "Give a member, a number or both."),
])
def test_a_bad_phone_is_refused_naming_its_row(manager, sales, target, problem):
    good = {"member_id": None, "target": "601100200", "ring_seconds": 15}
    errors = _refused(lambda: _save(manager, sales, targets=[good, target]))
    assert errors["targets"][0].startswith("Phone 2: ") and problem in errors["targets"][0]
    assert not RingGroup.objects.exists()


def test_a_member_without_a_usable_phone_needs_a_number(org, manager, sales, make_member):
    nobody = make_member(org, caps.RECEPTIONIST, phone="")
    odd = make_member(org, caps.RECEPTIONIST, phone="ask at the desk")
    for member, problem in ((nobody, "has no phone"), (odd, "cannot be rung")):
        errors = _refused(lambda m=member: _save(manager, sales, targets=[{"member_id": m.pk, "target": "",
                                                                            "ring_seconds": 15}]))
        assert problem in errors["targets"][0]


def test_a_member_of_another_organisation_is_refused(manager, sales, other_org, make_member):
    stranger = make_member(other_org, caps.RECEPTIONIST, phone="601100200")
    errors = _refused(lambda: _save(manager, sales, targets=[{"member_id": stranger.pk, "target": "",
                                                               "ring_seconds": 15}]))
    assert "Choose an active member" in errors["targets"][0]


def test_the_same_phone_twice_and_too_many_phones_are_refused(manager, sales):
    twice = [{"member_id": None, "target": t, "ring_seconds": 15} for t in ("601100200", "+48601100200")]
    assert "twice" in _refused(lambda: _save(manager, sales, targets=twice))["targets"][0]
    eleven = [{"member_id": None, "target": str(100 + n), "ring_seconds": 15} for n in range(11)]
    assert "at most 10" in _refused(lambda: _save(manager, sales, targets=eleven))["targets"][0]
    assert _save(manager, sales, strategy="serial", targets=eleven).targets.count() == 11


@pytest.mark.parametrize("fields, field", [
    ({"strategy": "random"}, "strategy"),
    ({"ring_seconds": 500}, "ring_seconds"),
    ({"ring_seconds": True}, "ring_seconds"),
    ({"overflow": "nowhere"}, "overflow"),
    ({"overflow": "department"}, "overflow_department"),
    ({"opening_hours": {"mon": [["16:00", "08:00"]]}}, "opening_hours"),
    ({"opening_hours": {"mon": [], "tue": []}}, "opening_hours"),
])
def test_bad_settings_are_refused_on_their_field(manager, sales, fields, field):
    assert field in _refused(lambda: _save(manager, sales, **fields))
    assert not RingGroup.objects.exists() and not Activity.objects.exists()


def test_own_hours_are_kept_normalised(manager, sales):
    group = _save(manager, sales, opening_hours={"mon": [["08:00", "12:00"]], "sat": [["09:00", "10:00"]]})
    assert group.opening_hours["mon"] == [["08:00", "12:00"]] and group.opening_hours["sun"] == []


def test_overflow_to_another_department(org, manager, sales, desk, site):
    group = _save(manager, sales, overflow="department", overflow_department=desk.department)
    assert group.overflow_department == desk.department
    plain = _save(manager, sales, overflow="voicemail", overflow_department=desk.department)
    assert plain.overflow_department is None  # only kept for overflow to a department


def test_overflow_to_itself_elsewhere_or_without_a_ring_group_is_refused(org, manager, sales, other_org):
    bare = DepartmentFactory(organization=org, name="Bare")
    foreign = RingGroupFactory(department=DepartmentFactory(organization=other_org)).department
    for target, problem in ((sales, "itself"), (bare, "no ring group yet"), (foreign, "Choose one of your")):
        errors = _refused(lambda t=target: _save(manager, sales, overflow="department",
                                                 overflow_department=t))
        assert problem in errors["overflow_department"][0]


def test_an_overflow_loop_is_refused(org, manager, sales, site):
    support = DepartmentFactory(organization=org, site=site, name="Support")
    _save(manager, sales)
    _save(manager, support, overflow="department", overflow_department=sales)
    errors = _refused(lambda: _save(manager, sales, overflow="department", overflow_department=support))
    assert "round in a circle" in errors["overflow_department"][0]


def test_one_desk_per_organisation_and_switching_moves_it(org, manager, sales, desk):
    group = _save(manager, sales, is_desk=True)
    desk.refresh_from_db()
    assert group.is_desk and not desk.is_desk
    assert RingGroup.objects.filter(organization=org, is_desk=True).get() == group
    assert Activity.objects.get(verb="ring_group.saved").data["desk_moved_from"] == desk.department_id


def test_a_switched_off_department_cannot_be_the_desk(org, manager):
    off = DepartmentFactory(organization=org, active=False)
    assert "is_desk" in _refused(lambda: _save(manager, off, is_desk=True))


def test_a_department_of_another_organisation_is_refused(manager, other_org):
    foreign = DepartmentFactory(organization=other_org)
    assert set(_refused(lambda: _save(manager, foreign))) == {"department"}


def test_existing_targets_of_a_factory_group_are_replaced(manager, sales):
    group = RingGroupFactory(department=sales)
    RingMemberFactory(ring_group=group)
    _save(manager, sales, targets=[])
    assert not group.targets.exists()


# --- at the same moment (PostgreSQL, or an SQLite file) ------------------------------------------

def _race(calls):
    """Run the calls in threads at once; their results and errors."""
    import threading

    from django.db import connections

    start = threading.Barrier(len(calls), timeout=10)
    results, errors = [], []

    def run(call):
        try:
            start.wait()
            results.append(call())
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results, errors


def _needs_real_concurrency():
    from django.db import connection

    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("concurrent writers need PostgreSQL or an SQLite file (FRONTOFFICE_TEST_SQLITE_NAME)")


@pytest.mark.django_db(transaction=True)
def test_departments_made_the_desk_at_once_leave_one_desk(org, manager, site):
    _needs_real_concurrency()
    departments = [DepartmentFactory(organization=org, site=site) for _ in range(4)]
    results, errors = _race([lambda d=d: _save(manager, d, is_desk=True) for d in departments])
    assert errors == [] and len(results) == 4
    assert RingGroup.objects.filter(organization=org, is_desk=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_overflows_saved_at_once_cannot_make_a_circle(org, manager, site):
    _needs_real_concurrency()
    one, two = (DepartmentFactory(organization=org, site=site) for _ in range(2))
    _save(manager, one)
    _save(manager, two)
    results, errors = _race([
        lambda: _save(manager, one, overflow="department", overflow_department=two),
        lambda: _save(manager, two, overflow="department", overflow_department=one)])
    assert len(results) == 1 and len(errors) == 1 and isinstance(errors[0], ValidationError)


@pytest.mark.django_db(transaction=True)
def test_one_number_added_at_once_by_two_offices_goes_to_one(org, manager, site, other_org, make_member):
    _needs_real_concurrency()
    other = make_member(other_org, caps.MANAGER)
    results, errors = _race([
        lambda: lines.line_create(actor=manager, number="221234567", label="Main", site=site),
        lambda: lines.line_create(actor=other, number="221234567", label="Main", site=other_org.sites.get())])
    assert len(results) == 1 and Line.objects.filter(number="+48221234567").count() == 1
    assert [e.message_dict for e in errors] == [{"number": ["This number is already in use."]}]
