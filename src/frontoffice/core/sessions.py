"""The session, the signed-in user and their memberships, read with statements compiled once per process.

Every signed-in request reads its session row, its user and the user's memberships: lookups by key for
which Django would compile the same SQL again each time, about as much CPU as the rest of a small page.
Here the session is one prepared query, and the user comes with their active memberships (and each
organisation's change stamp, core/fragments.py) in a second one. The rows stay in the database, shared
by every worker, so signing out or changing the password ends the session everywhere at once; the expiry
rule, ``clear_expired``, the session-hash check of ``django.contrib.auth`` and the ``is_active`` check are
Django's own.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.core.signals import setting_changed
from django.db.models import OuterRef, Subquery
from django.dispatch import receiver
from django.utils import timezone

from frontoffice.core.models import Activity, Member
from frontoffice.core.prepared import Prepared

_SAMPLE_KEY = "~sample-session-key~"  # session keys are [a-z0-9] only: this cannot clash with a real one
_SAMPLE_TIME = datetime(2999, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
_SAMPLE_ID = 2_000_000_001

# Decoded session data by its signed text: the same text always decodes to the same values, so the signature
# check and the JSON are done once per distinct session state, not on every request. Only data whose values
# are all immutable is kept, as each request gets its own shallow copy to change.
_decoded: dict[str, dict] = {}
_DECODED_MAX = 5000
_IMMUTABLE = (str, int, float, bool, type(None))



@receiver(setting_changed)
def _forget_decoded(setting, **kwargs):
    """A new secret (or serializer) may refuse data decoded under the old one (tests change settings; a
    running server does not)."""
    if setting in ("SECRET_KEY", "SECRET_KEY_FALLBACKS", "SESSION_SERIALIZER"):
        _decoded.clear()


_live_session_data = Prepared(lambda key, now: Session.objects.filter(session_key=key, expire_date__gt=now)
                              .values_list("session_data", flat=True), _SAMPLE_KEY, _SAMPLE_TIME)
_user = Prepared(lambda user_id: get_user_model()._default_manager.filter(pk=user_id), _SAMPLE_ID)

# The user's active memberships with their user and organisation, by organisation name, each with
# ``org_change_stamp``: the id of its organisation's latest activity (0 before the first).
active_memberships = Prepared(
    lambda user_id: Member.objects.select_related("user", "organization")
    .filter(user_id=user_id, active=True)
    .annotate(org_change_stamp=Subquery(Activity.objects.filter(organization_id=OuterRef("organization_id"))
                                        .order_by("-id").values("id")[:1]))
    .order_by("organization__name", "pk"), _SAMPLE_ID)


class SessionStore(db.SessionStore):
    """Django's database sessions (``SESSION_ENGINE = "frontoffice.core.sessions"``)."""

    @classmethod
    def get_model_class(cls):
        return Session  # the one model the prepared lookup reads

    def decode(self, session_data):
        known = _decoded.get(session_data)
        if known is None:
            known = super().decode(session_data)  # {} when the signature does not match
            if not (known and all(isinstance(value, _IMMUTABLE) for value in known.values())):
                return known
            if len(_decoded) >= _DECODED_MAX:
                _decoded.pop(next(iter(_decoded)), None)  # the oldest
            _decoded[session_data] = known
        return dict(known)

    def load(self):
        data = _live_session_data.first(self.session_key, timezone.now()) if self.session_key else None
        if data is None:
            self._session_key = None  # expired or unknown: a new session gets a new key, as in Django
            return {}
        return self.decode(data)


class PreparedModelBackend(ModelBackend):
    """Django's ModelBackend (passwords, permissions, ``is_active``); ``get_user`` reads the user with their
    active memberships in one prepared query and leaves them on ``user.active_memberships`` for
    core.middleware (a user without any reads the user alone)."""

    def get_user(self, user_id):
        members = active_memberships(user_id)
        user = members[0].user if members else _user.first(user_id)
        if user is None or not self.user_can_authenticate(user):
            return None
        for member in members:
            Member.user.field.set_cached_value(member, user)  # one user object for all of them
        user.active_memberships = members
        return user
