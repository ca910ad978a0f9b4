"""Organisations, sites, departments, people and roles, API tokens and the activity log."""

from __future__ import annotations

import zoneinfo
from functools import cached_property

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from frontoffice.core import capabilities, presets

LANGUAGE_CHOICES = [("en", _("English")), ("pl", _("Polish"))]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. What they may do lives on their memberships, not here."""

    email = models.EmailField(_("e-mail"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)  # Django admin only: operators, not office staff
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()
    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value}) from None


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    vertical = models.CharField(_("kind of office"), max_length=20, choices=presets.VERTICAL_CHOICES)
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES, default="en")
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Warsaw",
                                 validators=[validate_time_zone])
    currency = models.CharField(_("currency"), max_length=3, default="PLN")
    country = models.CharField(_("country"), max_length=2, default="PL",
                               help_text=_("Two-letter code; the default for phone numbers."))
    visitor_retention_days = models.PositiveIntegerField(_("keep visitor records (days)"), default=90)
    caller_retention_days = models.PositiveIntegerField(_("keep caller records (days)"), default=365)
    require_two_factor = models.BooleanField(
        _("require two-factor sign-in for owners and managers"), default=False
    )
    settings = models.JSONField(_("settings"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def preset(self) -> presets.Vertical:
        return presets.vertical(self.vertical)

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Site(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="sites")
    name = models.CharField(_("name"), max_length=200)
    address = models.TextField(_("address"), blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True, validators=[validate_time_zone],
                                 help_text=_("Leave empty to use the organisation's."))
    opening_hours = models.JSONField(_("opening hours"), default=dict, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("site")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="site_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone or self.organization.time_zone)


class Closure(models.Model):
    """A holiday or closure of a site, whole days from ``starts_on`` to ``ends_on`` inclusive."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="closures")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="closures")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("closure")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")),
                                   name="closure_ends_after_start"),
        ]


class Member(models.Model):
    """A user's membership of one organisation: every act in the system is done by a member."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="members")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    roles = models.JSONField(_("roles"), default=list)
    sites = models.ManyToManyField(Site, blank=True, related_name="members", verbose_name=_("sites"))
    title = models.CharField(_("job title"), max_length=120, blank=True)
    phone = models.CharField(_("phone or extension"), max_length=40, blank=True)
    active = models.BooleanField(_("active"), default=True)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("member")
        constraints = [models.UniqueConstraint(fields=["organization", "user"], name="member_unique_user")]
        indexes = [models.Index(fields=["user", "active"])]

    def __str__(self) -> str:
        return str(self.user)

    @cached_property
    def capabilities(self) -> frozenset[str]:
        return capabilities.capabilities_for(self.roles) if self.active else frozenset()

    def can(self, capability: str) -> bool:
        if capability not in capabilities.CAPABILITIES:
            raise KeyError(f"unknown capability {capability!r}")
        return capability in self.capabilities

    @property
    def needs_two_factor(self) -> bool:
        return self.organization.require_two_factor and bool(
            capabilities.TWO_FACTOR_ROLES & set(self.roles)
        )

    @property
    def role_labels(self) -> list[str]:
        return [str(capabilities.ROLES[r]) for r in self.roles if r in capabilities.ROLES]


class Department(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="departments")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="departments", null=True, blank=True,
                             verbose_name=_("site"))
    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("extension or number"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    members = models.ManyToManyField(Member, blank=True, related_name="departments", verbose_name=_("members"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="department_unique_name")]

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A bearer token acting for one member. Only a hash is stored; the token is shown once."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="api_tokens")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The activity log is append-only")

    def delete(self):
        raise PermissionError("The activity log is append-only")

    def bulk_update(self, *args, **kwargs):
        raise PermissionError("The activity log is append-only")


class Activity(models.Model):
    """One thing that happened: the audit trail, the client timeline and a source for analysis.

    Written only by ``core.services.activity_record`` inside the transaction of the change it
    describes; never updated or deleted.
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="activities")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    actor = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True, related_name="activities")
    actor_kind = models.CharField(max_length=10, default="member")  # member | system | client
    verb = models.CharField(max_length=64)
    subject_type = models.CharField(max_length=64, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    subject_label = models.CharField(max_length=200, blank=True)
    client_id = models.BigIntegerField(null=True, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    data = models.JSONField(default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activity")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "-occurred_at", "-id"], name="activity_org_time"),
            models.Index(fields=["organization", "client_id", "-occurred_at"], name="activity_client_time"),
            models.Index(fields=["organization", "actor", "-occurred_at"], name="activity_actor_time"),
            models.Index(fields=["organization", "verb", "-occurred_at"], name="activity_verb_time"),
            models.Index(fields=["organization", "subject_type", "subject_id"], name="activity_subject"),
            # The organisation's latest entry, read on every dashboard as its change stamp (core/fragments.py):
            # an index-only backward scan on PostgreSQL (SQLite's organisation index already ends in the rowid).
            models.Index(fields=["organization", "-id"], name="activity_org_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.verb} {self.subject_type}:{self.subject_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError("The activity log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The activity log is append-only")


class PeriodicRun(models.Model):
    """When a periodic job (core/periodic.py) runs next, and how its last run went.

    ``next_run_at`` is also the claim: a worker runs a job only if its compare-and-set UPDATE moved it.
    """

    name = models.CharField(max_length=100, unique=True)
    next_run_at = models.DateTimeField()
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name
