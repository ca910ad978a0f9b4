"""The satisfaction page: what clients rated, per member who answered and per category, over a period."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from frontoffice.core import capabilities as caps
from tests.clients.factories import make_client
from tests.inquiries.factories import CategoryFactory, InquiryFactory


def _rated(site, category, member, rating, days_ago=1):
    now = timezone.now()
    return InquiryFactory(site=site, category=category, client=make_client(member), status="closed",
                          answered_by=member, rating=rating, rated_at=now - timedelta(days=days_ago))


def test_ratings_per_member_and_per_category_best_first(org, manager, make_member, signed_in):
    site = org.sites.get()
    anna, piotr = make_member(org, caps.RECEPTIONIST), make_member(org, caps.RECEPTIONIST)
    fees = CategoryFactory(organization=org, name="Fees")
    visits = CategoryFactory(organization=org, name="Visits")
    _rated(site, fees, anna, 5)
    _rated(site, visits, anna, 4)
    _rated(site, fees, piotr, 2)
    _rated(site, fees, piotr, 1, days_ago=200)  # outside the default 90 days
    html = signed_in(manager).get(reverse("inquiries:satisfaction")).content.decode()
    by_member = html.split('id="by-member"')[1].split("</table>")[0]
    assert by_member.index(str(anna.user)) < by_member.index(str(piotr.user))
    assert "4.50" in by_member and "2.00" in by_member
    by_category = html.split('id="by-category"')[1].split("</table>")[0]
    assert "Fees" in by_category and "3.50" in by_category and "Visits" in by_category
    year = signed_in(manager).get(reverse("inquiries:satisfaction"), {"days": 365}).content.decode()
    assert "1.50" in year.split('id="by-member"')[1].split("</table>")[0]


def test_an_unknown_period_shows_the_default_and_no_ratings_say_so(manager, signed_in):
    response = signed_in(manager).get(reverse("inquiries:satisfaction"), {"days": "forever"})
    assert response.status_code == 200
    assert response.content.decode().count("No ratings in this period.") == 2


def test_receptionists_do_not_see_colleagues_ratings(receptionist, signed_in):
    assert signed_in(receptionist).get(reverse("inquiries:satisfaction")).status_code == 403
