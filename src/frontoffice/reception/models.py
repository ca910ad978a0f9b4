"""Visits, the documents visitors accept, kiosks, the watchlist, roll calls and deliveries.

Every row belongs to an organisation. Visitor details are personal data: ``services.anonymise_expired``
clears them once the organisation's ``visitor_retention_days`` have passed (visits linked to a client
keep them: the client's own record governs those).
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from frontoffice.core.models import Department, Member, Organization, Site

# Crockford's base32 alphabet: no I, L, O or U, so a code read aloud or typed from paper is unambiguous.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10

VIA_DESK = "desk"
VIA_KIOSK = "kiosk"
VIA_HOST = "host"
VIA_AUTOMATIC = "automatic"
CHECK_IN_VIA = [(VIA_DESK, _("desk")), (VIA_KIOSK, _("kiosk"))]
CHECK_OUT_VIA = CHECK_IN_VIA + [(VIA_HOST, _("host")), (VIA_AUTOMATIC, _("automatic"))]


def new_code() -> str:
    """A random visit code (50 bits): the QR content for check-in and check-out."""
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


class Visit(models.Model):
    class Status(models.TextChoices):
        EXPECTED = "expected", _("expected")
        ARRIVED = "arrived", _("waiting")
        WITH_HOST = "with_host", _("with host")
        LEFT = "left", _("left")
        CANCELLED = "cancelled", _("cancelled")
        NO_SHOW = "no_show", _("no-show")

    EXPECTED = Status.EXPECTED
    ARRIVED = Status.ARRIVED
    WITH_HOST = Status.WITH_HOST
    LEFT = Status.LEFT
    CANCELLED = Status.CANCELLED
    NO_SHOW = Status.NO_SHOW
    ON_SITE = (ARRIVED, WITH_HOST)
    CLOSED = (LEFT, CANCELLED, NO_SHOW)

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="visits")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="visits", verbose_name=_("site"))
    client = models.ForeignKey("clients.Client", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="visits", verbose_name=_("client"))
    visitor_name = models.CharField(_("visitor's name"), max_length=200)
    visitor_company = models.CharField(_("company"), max_length=200, blank=True)
    visitor_email = models.EmailField(_("e-mail"), blank=True)
    visitor_phone = models.CharField(_("phone"), max_length=32, blank=True)  # E.164
    # At least one of the two (services check it): a person, or a department whose e-mail is told.
    host_member = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="hosted_visits", verbose_name=_("host"))
    host_department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="visits", verbose_name=_("department"))
    visit_type = models.CharField(_("type of visit"), max_length=32)  # a key of presets.visit_types()
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.EXPECTED)
    expected_at = models.DateTimeField(_("expected at"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    greeted_at = models.DateTimeField(_("greeted at"), null=True, blank=True)
    host_notified_at = models.DateTimeField(_("host told at"), null=True, blank=True)
    host_met_at = models.DateTimeField(_("host met at"), null=True, blank=True)
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    greeted_by = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    checked_in_by = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    checked_out_by = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    invited_by = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    check_in_via = models.CharField(max_length=8, choices=CHECK_IN_VIA, blank=True)
    check_out_via = models.CharField(max_length=10, choices=CHECK_OUT_VIA, blank=True)
    code = models.CharField(_("code"), max_length=16, unique=True, default=new_code)
    badge_number = models.CharField(_("badge"), max_length=16, blank=True)  # per site per local day
    held_at = models.DateTimeField(null=True, blank=True)  # a watchlist match waits for a manager
    anonymised_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("visit")
        ordering = ["expected_at", "id"]
        indexes = [
            models.Index(fields=["organization", "site", "expected_at"], name="visit_org_site_expected"),
            models.Index(fields=["organization", "status"], name="visit_org_status"),
            models.Index(fields=["organization", "arrived_at"], name="visit_org_arrived"),
        ]

    def __str__(self) -> str:
        return self.visitor_name

    @property
    def is_on_site(self) -> bool:
        return self.status in self.ON_SITE

    @property
    def is_held(self) -> bool:
        return self.held_at is not None

    @property
    def host_name(self) -> str:
        if self.host_member_id:
            return str(self.host_member)
        return self.host_department.name if self.host_department_id else ""


class VisitDocument(models.Model):
    """A text a visitor accepts at the kiosk (NDA, health declaration, photo consent).

    Immutable once saved: editing saves a new version and retires the old one, so an acceptance
    always points at the exact words the visitor saw.
    """

    NDA = "nda"
    HEALTH = "health"
    PHOTO = "photo"
    OTHER = "other"
    KINDS = [(NDA, _("non-disclosure agreement")), (HEALTH, _("health declaration")),
             (PHOTO, _("photo consent")), (OTHER, _("other"))]

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="visit_documents")
    kind = models.CharField(_("kind"), max_length=20, choices=KINDS)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    version = models.PositiveIntegerField(_("version"), default=1)
    visit_types = models.JSONField(_("types of visit"), default=list, blank=True)  # empty: every type
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("visitor document")
        ordering = ["kind", "title", "-version"]
        indexes = [models.Index(fields=["organization", "active"], name="visitdoc_org_active")]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    def applies_to(self, visit_type: str) -> bool:
        return not self.visit_types or visit_type in self.visit_types


class DocumentAcceptance(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="acceptances")
    document = models.ForeignKey(VisitDocument, on_delete=models.PROTECT, related_name="acceptances")
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["accepted_at", "id"]
        constraints = [models.UniqueConstraint(fields=["visit", "document"], name="acceptance_once")]


class Kiosk(models.Model):
    """A self-service tablet at a site, paired with a token of which only a hash is kept."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="kiosks")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="kiosks", verbose_name=_("site"))
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(_("language"), max_length=8, default="", blank=True)

    class Meta:
        verbose_name = _("kiosk")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class WatchlistEntry(models.Model):
    """A person the desk must not let in without a manager. Matched by folded name (and birth date)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="watchlist_entries")
    full_name = models.CharField(_("full name"), max_length=200)
    name_folded = models.CharField(max_length=200)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    added_by = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("watchlist entry")
        verbose_name_plural = _("watchlist")
        ordering = ["full_name", "id"]
        indexes = [models.Index(fields=["organization", "active"], name="watchlist_org_active")]

    def __str__(self) -> str:
        return self.full_name


class BadgeCounter(models.Model):
    """The last badge number given at a site on one local day. Its row is locked while a check-in takes
    the next number, so two desks never hand out the same one and nobody counts the day's visits."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "day"], name="reception_badge_counter_site_day")]


class Evacuation(models.Model):
    """A roll call: who was on site when it started, and who has been marked safe."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="evacuations")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="evacuations")
    started_by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("roll call")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["site"], condition=models.Q(ended_at__isnull=True),
                                    name="evacuation_one_open_per_site"),
        ]

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class EvacuationMark(models.Model):
    evacuation = models.ForeignKey(Evacuation, on_delete=models.CASCADE, related_name="marks")
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="evacuation_marks")
    marked_by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["evacuation", "visit"], name="evacuation_mark_once")]


class Delivery(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="deliveries")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("site"))
    carrier = models.CharField(_("carrier"), max_length=100)
    tracking = models.CharField(_("tracking number"), max_length=100, blank=True)
    recipient = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="deliveries",
                                  verbose_name=_("recipient"))
    description = models.CharField(_("description"), max_length=200, blank=True)
    storage_spot = models.CharField(_("where it is kept"), max_length=100, blank=True)
    photo = models.FileField(_("photo"), upload_to="deliveries/%Y/%m/", blank=True)
    received_by = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    notified_at = models.DateTimeField(null=True, blank=True)
    picked_up_at = models.DateTimeField(_("picked up at"), null=True, blank=True)
    picked_up_by_name = models.CharField(_("picked up by"), max_length=200, blank=True)
    handed_over_by = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["organization", "picked_up_at", "received_at"],
                                name="delivery_org_waiting")]

    def __str__(self) -> str:
        return f"{self.carrier} {self.tracking}".strip()

    @property
    def is_waiting(self) -> bool:
        return self.picked_up_at is None
