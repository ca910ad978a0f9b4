"""Sites with their opening hours, and closures."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from frontoffice.core import presets, services
from frontoffice.core.models import Activity, Closure, Site
from tests.core.factories import ClosureFactory

CLOSED = {"sat": [], "sun": []}


def test_site_create_starts_with_the_default_opening_hours(org, manager):
    site = services.site_create(actor=manager, name="Annex")
    assert site.organization == org
    assert site.opening_hours == presets.DEFAULT_OPENING_HOURS
    activity = Activity.objects.get(verb="site.created")
    assert (activity.actor, activity.site, activity.subject_id) == (manager, site, str(site.pk))


def test_site_create_keeps_hours_sorted_and_closes_days_left_out(org, manager):
    site = services.site_create(
        actor=manager,
        name="Annex",
        time_zone="Europe/London",
        opening_hours={"mon": [["13:00", "16:00"], ["08:00", "12:00"]]},
    )
    assert site.opening_hours["mon"] == [["08:00", "12:00"], ["13:00", "16:00"]]
    assert all(site.opening_hours[day] == [] for day in ("tue", "wed", "thu", "fri", "sat", "sun"))
    assert site.tz.key == "Europe/London"


def test_site_create_may_start_inactive(org, manager):
    assert services.site_create(actor=manager, name="Old annex", active=False).active is False


BAD_HOURS = {
    "time without a leading zero": {"mon": [["8:00", "16:00"]]},
    "hour 24": {"mon": [["08:00", "24:00"]]},
    "minutes 60": {"mon": [["08:60", "16:00"]]},
    "words": {"mon": [["morning", "evening"]]},
    "one time only": {"mon": [["08:00"]]},
    "three times": {"mon": [["08:00", "12:00", "16:00"]]},
    "a string instead of ranges": {"mon": "08:00-16:00"},
    "unknown weekday": {"funday": [["08:00", "16:00"]]},
    "not a mapping": [["08:00", "16:00"]],
    "ends before it starts": {"tue": [["16:00", "08:00"]]},
    "ends when it starts": {"tue": [["08:00", "08:00"]]},
    "overlapping ranges": {"wed": [["08:00", "12:00"], ["11:30", "16:00"]]},
    "the same range twice": {"wed": [["08:00", "12:00"], ["08:00", "12:00"]]},
}


@pytest.mark.parametrize("hours", BAD_HOURS.values(), ids=BAD_HOURS.keys())
def test_site_create_refuses_bad_opening_hours_and_saves_nothing(org, manager, hours):
    with pytest.raises(ValidationError) as refused:
        services.site_create(actor=manager, name="Annex", opening_hours=hours)
    assert list(refused.value.message_dict) == ["opening_hours"]
    assert not Site.objects.filter(name="Annex").exists()
    assert not Activity.objects.exists()


def test_opening_hours_say_which_day_is_wrong():
    with pytest.raises(ValidationError) as refused:
        services.validate_opening_hours({"wed": [["08:00", "12:00"], ["11:30", "16:00"]]})
    assert "wed" in refused.value.message_dict["opening_hours"][0]


def test_ranges_that_touch_do_not_overlap():
    hours = services.validate_opening_hours({"fri": [["12:00", "16:00"], ["08:00", "12:00"]]})
    assert hours["fri"] == [["08:00", "12:00"], ["12:00", "16:00"]]


@pytest.mark.parametrize("name", ["alpha MAIN", "  Alpha main  ", ""])
def test_site_create_refuses_a_taken_or_empty_name(org, manager, name):
    with pytest.raises(ValidationError) as refused:
        services.site_create(actor=manager, name=name)
    assert "name" in refused.value.message_dict
    assert org.sites.count() == 1


def test_site_names_are_unique_per_organisation_only(org, other_owner):
    assert services.site_create(actor=other_owner, name="Alpha main").organization == other_owner.organization


def test_site_create_refuses_an_unknown_time_zone_naming_the_field(org, manager):
    with pytest.raises(ValidationError) as refused:
        services.site_create(actor=manager, name="Annex", time_zone="Moon/Base")
    assert "time_zone" in refused.value.message_dict
    assert not Site.objects.filter(name="Annex").exists()


def test_site_update_records_changes_as_before_and_after(org, manager):
    site = org.sites.get()
    hours = {"mon": [["09:00", "17:00"]]}
    services.site_update(
        actor=manager, site=site, name="Alpha centre", opening_hours=hours, address="1 High St"
    )
    site.refresh_from_db()
    assert site.name == "Alpha centre"
    assert site.opening_hours["mon"] == [["09:00", "17:00"]] and site.opening_hours["tue"] == []
    changes = Activity.objects.get(verb="site.updated", actor=manager).data["changes"]
    assert changes["name"] == ["Alpha main", "Alpha centre"]
    assert changes["opening_hours"][0] == presets.DEFAULT_OPENING_HOURS
    assert changes["address"] == ["", "1 High St"]


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"opening_hours": {"mon": [["17:00", "09:00"]]}}, "opening_hours"),
        ({"time_zone": "Nowhere/Town"}, "time_zone"),
        ({"name": " "}, "name"),
        ({"organization": None}, "organization"),
    ],
)
def test_site_update_refuses_bad_input_and_saves_nothing(org, manager, fields, field):
    site = org.sites.get()
    saved = Site.objects.values().get(pk=site.pk)
    with pytest.raises(ValidationError) as refused:
        services.site_update(actor=manager, site=site, address="changed too", **fields)
    assert field in refused.value.message_dict
    assert Site.objects.values().get(pk=site.pk) == saved
    assert not Activity.objects.exists()


def test_site_update_refuses_the_name_of_another_site(org, manager):
    annex = services.site_create(actor=manager, name="Annex")
    with pytest.raises(ValidationError):
        services.site_update(actor=manager, site=annex, name="ALPHA MAIN")
    assert Site.objects.get(pk=annex.pk).name == "Annex"


# --- closures -------------------------------------------------------------------------------


def test_closure_of_one_day_ends_the_day_it_starts(org, manager):
    site = org.sites.get()
    closure = services.closure_add(
        actor=manager, site=site, starts_on=date(2031, 11, 11), reason="Independence Day"
    )
    assert (closure.starts_on, closure.ends_on, closure.organization) == (
        date(2031, 11, 11),
        date(2031, 11, 11),
        org,
    )
    activity = Activity.objects.get(verb="site.closure_added")
    assert activity.actor == manager and activity.site == site
    assert activity.data == {"from": "2031-11-11", "until": "2031-11-11", "reason": "Independence Day"}


def test_closure_cannot_end_before_it_starts(org, manager):
    with pytest.raises(ValidationError) as refused:
        services.closure_add(
            actor=manager, site=org.sites.get(), starts_on=date(2031, 5, 3), ends_on=date(2031, 5, 1)
        )
    assert "ends_on" in refused.value.message_dict
    assert not Closure.objects.exists() and not Activity.objects.exists()


def test_closure_remove_deletes_it_and_records_what_it_was(org, manager):
    closure = ClosureFactory(site=org.sites.get())
    services.closure_remove(actor=manager, closure=closure)
    assert not Closure.objects.exists()
    activity = Activity.objects.get(verb="site.closure_removed")
    assert activity.actor == manager
    assert activity.data == {"from": "2030-12-24", "until": "2030-12-26", "reason": "Christmas"}
