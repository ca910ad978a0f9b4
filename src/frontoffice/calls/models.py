"""Phone lines, ring groups, the telephony provider, calls and messages.

Every row belongs to an organisation. The routing itself lives in ``routing.py`` (a pure function over a
snapshot of these rows); callers' numbers and messages are personal data kept for the organisation's
``caller_retention_days``.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from frontoffice.core.models import Department, Member, Organization, Site


class TelephonyProvider(models.Model):
    """The organisation's account at a Twilio-dialect provider. The auth token signs every webhook.

    The token is stored as given (the signature check needs it) and never shown back in full.
    """

    class Kind(models.TextChoices):
        TWILIO = "twilio", "Twilio"
        SIGNALWIRE = "signalwire", "SignalWire"

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="telephony")
    kind = models.CharField(_("provider"), max_length=16, choices=Kind.choices, default=Kind.TWILIO)
    account_sid = models.CharField(_("account SID"), max_length=64)
    auth_token = models.CharField(_("auth token"), max_length=128)
    # SignalWire's REST API lives at the customer's own space ("example.signalwire.com"); empty for Twilio.
    space_url = models.CharField(_("space URL"), max_length=200, blank=True)
    # SignalWire signs webhooks with the project's signing key, which is not its API token; empty: the
    # auth token signs them (Twilio, and SignalWire projects without a signing key).
    signing_key = models.CharField(_("signing key"), max_length=128, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("telephony provider")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.account_sid}"

    @property
    def token_hint(self) -> str:
        return "…" + self.auth_token[-4:] if self.auth_token else ""

    @property
    def signing_key_hint(self) -> str:
        return "…" + self.signing_key[-4:] if self.signing_key else ""

    @property
    def webhook_key(self) -> str:
        """The secret the provider signs its webhooks with."""
        return self.signing_key or self.auth_token


class RingGroup(models.Model):
    """How a department takes calls: whom to ring, how, when it is open and where a call goes next."""

    class Strategy(models.TextChoices):
        PARALLEL = "parallel", _("ring everyone at once")
        SERIAL = "serial", _("ring one after another")

    class Overflow(models.TextChoices):
        VOICEMAIL = "voicemail", _("voicemail")
        DEPARTMENT = "department", _("another department")
        MESSAGE = "message", _("take a message at the desk")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="ring_groups")
    department = models.OneToOneField(Department, on_delete=models.CASCADE, related_name="ring_group")
    strategy = models.CharField(_("ringing"), max_length=10, choices=Strategy.choices, default=Strategy.PARALLEL)
    ring_seconds = models.PositiveSmallIntegerField(_("ring for (seconds)"), default=20,
                                                    help_text=_("Parallel: how long everyone rings."))
    overflow = models.CharField(_("when nobody answers"), max_length=12, choices=Overflow.choices,
                                default=Overflow.VOICEMAIL)
    overflow_department = models.ForeignKey(Department, on_delete=models.SET_NULL, null=True, blank=True,
                                            related_name="+", verbose_name=_("overflow department"))
    # Empty: the department's site's opening hours (and closures). Same shape as Site.opening_hours.
    opening_hours = models.JSONField(_("own opening hours"), default=dict, blank=True)
    # The desk's ring group: where a menu without an answer, a transfer to "the desk" and every fallback go.
    is_desk = models.BooleanField(_("this is the front desk"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ring group")
        constraints = [models.UniqueConstraint(fields=["organization"], condition=models.Q(is_desk=True),
                                               name="ring_group_one_desk")]

    def __str__(self) -> str:
        return str(self.department)


class RingMember(models.Model):
    """One phone a ring group rings: a member's phone, a number, or a SIP address/extension."""

    ring_group = models.ForeignKey(RingGroup, on_delete=models.CASCADE, related_name="targets")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                               verbose_name=_("member"))
    # E.164 number, "sip:user@host" or an extension; empty means the member's own phone.
    target = models.CharField(_("number, SIP address or extension"), max_length=200, blank=True)
    ring_seconds = models.PositiveSmallIntegerField(_("ring for (seconds)"), default=15,
                                                    help_text=_("Serial ringing: how long this phone rings."))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("phone in a ring group")
        ordering = ["position", "id"]


class Line(models.Model):
    """A phone number the organisation answers: the main number or a department's direct number.

    ``flow`` is the owner-edited call flow (validated by ``services.flow_save``; shape in ``routing.Flow``).
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="lines")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="lines", verbose_name=_("site"))
    number = models.CharField(_("number"), max_length=20, unique=True)  # E.164; the webhook finds the org by it
    label = models.CharField(_("label"), max_length=100)
    department = models.ForeignKey(Department, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="lines", verbose_name=_("direct line of"))
    flow = models.JSONField(_("call flow"), default=dict, blank=True)
    greeting_recording = models.FileField(_("greeting recording"), upload_to="calls/greetings/", blank=True)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(default=0)  # "line 1, line 2" on the switchboard
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("phone line")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label


class Call(models.Model):
    """One incoming call, from offered to ended, with its legs (what happened, in order).

    ``status`` is where the call is now (the switchboard's lists); ``outcome`` how it ended. Provider calls
    carry the provider's ``sid``; calls logged by hand at an office without a provider have none.
    """

    class Status(models.TextChoices):
        RINGING = "ringing", _("ringing")
        IN_MENU = "in_menu", _("in the menu")
        QUEUED = "queued", _("waiting in the queue")
        CONNECTED = "connected", _("connected")
        ON_HOLD = "on_hold", _("on hold")
        ENDED = "ended", _("ended")

    class Outcome(models.TextChoices):
        ANSWERED = "answered", _("answered")
        TRANSFERRED = "transferred", _("transferred")
        MESSAGE = "message", _("message taken")
        VOICEMAIL = "voicemail", _("voicemail")
        ABANDONED = "abandoned", _("abandoned")

    class Source(models.TextChoices):
        PROVIDER = "provider", _("phone provider")
        MANUAL = "manual", _("logged by hand")

    LIVE = (Status.RINGING, Status.IN_MENU, Status.QUEUED, Status.CONNECTED, Status.ON_HOLD)
    WAITING = (Status.RINGING, Status.IN_MENU, Status.QUEUED)

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="calls")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="calls", verbose_name=_("site"))
    line = models.ForeignKey(Line, on_delete=models.SET_NULL, null=True, blank=True, related_name="calls",
                             verbose_name=_("line"))
    sid = models.CharField(max_length=64, unique=True, null=True, blank=True)  # provider's CallSid
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.PROVIDER)
    from_number = models.CharField(_("caller's number"), max_length=20, blank=True)  # E.164; empty: withheld
    from_raw = models.CharField(max_length=64, blank=True)  # what the provider or the receptionist gave
    client = models.ForeignKey("clients.Client", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="calls", verbose_name=_("client"))
    caller_name = models.CharField(_("caller's name"), max_length=200, blank=True)  # when no client (yet)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RINGING)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    department = models.ForeignKey(Department, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="calls", verbose_name=_("department"))
    menu_choice = models.CharField(_("menu choice"), max_length=8, blank=True)
    answered_by = models.ForeignKey(Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                    verbose_name=_("answered by"))
    # The desk member who last sent the call somewhere: a further transfer is their misroute (DESIGN §7).
    routed_by = models.ForeignKey(Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    transfers = models.PositiveSmallIntegerField(default=0)
    misrouted = models.BooleanField(default=False)
    offered_at = models.DateTimeField(_("offered at"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    wait_seconds = models.PositiveIntegerField(_("wait before answer (s)"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (s)"), null=True, blank=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # Where the call flow stands (menu attempts, serial ring position, …): routing.State as a dict.
    state = models.JSONField(default=dict, blank=True)
    # [{"at": ISO time, "kind": "offered|menu|ring|queued|answered|transfer|voicemail|message|ended", ...}]
    legs = models.JSONField(default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("call")
        ordering = ["-offered_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "-offered_at"], name="call_org_offered"),
            models.Index(fields=["organization", "status"], name="call_org_status"),
            models.Index(fields=["organization", "-updated_at"], name="call_org_updated"),
            models.Index(fields=["organization", "client", "-offered_at"], name="call_org_client"),
            models.Index(fields=["organization", "from_number"], name="call_org_from"),
        ]

    def __str__(self) -> str:
        return f"{self.from_number or self.from_raw or '?'} → {self.line or '-'}"

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE


class Message(models.Model):
    """A message or a callback owed, for a person or a department (voicemails become messages too)."""

    class Kind(models.TextChoices):
        MESSAGE = "message", _("message")
        VOICEMAIL = "voicemail", _("voicemail")
        CALLBACK = "callback", _("call back")

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("normal")
        URGENT = "urgent", _("urgent")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="phone_messages")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    call = models.ForeignKey(Call, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages")
    client = models.ForeignKey("clients.Client", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="phone_messages", verbose_name=_("client"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.MESSAGE)
    # At least one of the two (services check it).
    for_member = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="phone_messages", verbose_name=_("for"))
    for_department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="phone_messages", verbose_name=_("for department"))
    caller_name = models.CharField(_("caller's name"), max_length=200, blank=True)
    caller_number = models.CharField(_("number to call back"), max_length=32, blank=True)  # E.164 when parsable
    text = models.TextField(_("message"), blank=True)
    urgency = models.CharField(_("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    recording_url = models.URLField(_("recording"), max_length=500, blank=True)
    recording_seconds = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    notified_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("message")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "done_at", "-created_at"], name="message_org_open"),
            models.Index(fields=["organization", "for_member", "done_at"], name="message_org_member"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.caller_name or self.caller_number}"

    @property
    def is_open(self) -> bool:
        return self.done_at is None
