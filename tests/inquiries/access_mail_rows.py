"""The inquiries e-mail channel's rows of the access table (see tests/access_table.py).

The inbound-mail webhook is PUBLIC: a mail provider calls it with no session, and the organisation's secret
token in the URL is its only credential (tests/inquiries/test_inbound.py walks it). With a wrong token it is
403 for everyone; with the right one, a body that is not a message is 400.
"""

from __future__ import annotations

from frontoffice.inquiries.models import Channels
from frontoffice.inquiries.services.categories import inbound_token_hash
from tests.access_table import PUBLIC, Route

TOKEN = "access-walk-inbound-token-0123456789"


def populate(world) -> None:
    Channels.objects.update_or_create(organization=world.org,
                                      defaults={"inbound_token_hash": inbound_token_hash(TOKEN)})


ROUTES = [
    Route("POST", "public:inbound_mail", None, kind=PUBLIC, tenant_ids=False,
          args=lambda w, m: ["not-the-token"], ok=(403,), label="wrong token"),
    Route("POST", "public:inbound_mail", None, kind=PUBLIC, tenant_ids=False, args=lambda w, m: [TOKEN],
          data=lambda w, m: {"from": "anna@example.com"}, ok=(400,), label="not a message"),
    Route("POST", "public:inbound_mail_mime", None, kind=PUBLIC, tenant_ids=False,
          args=lambda w, m: ["not-the-token"], ok=(403,), label="Mailgun's raw address, wrong token"),
    Route("POST", "public:inbound_mail_mime", None, kind=PUBLIC, tenant_ids=False, args=lambda w, m: [TOKEN],
          data=lambda w, m: {"from": "anna@example.com"}, ok=(400,), label="Mailgun's raw address, not a message"),
]
