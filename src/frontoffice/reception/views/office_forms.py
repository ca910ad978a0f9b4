"""Forms of the back-office pages: the watchlist, deliveries, kiosks and visitor documents.

They parse what was typed; the rules live in ``reception.services``, whose refusals the views put
back on these forms with ``core.forms.add_service_errors``.
"""

from __future__ import annotations

import secrets

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from frontoffice.core.models import Organization
from frontoffice.reception import presets
from frontoffice.reception.models import VisitDocument

MAX_PHOTO_BYTES = 5 * 1024 * 1024

# What a delivery photo may be, recognised by its first bytes (the browser's content type and the
# file name are the sender's word only). The same table decides the type the photo is served back as.
_IMAGE_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"GIF87a", "image/gif", ".gif"),
    (b"GIF89a", "image/gif", ".gif"),
)


def image_type(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of an image we accept, from its first bytes; None for anything else."""
    for signature, content_type, extension in _IMAGE_SIGNATURES:
        if head.startswith(signature):
            return content_type, extension
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", ".webp"
    return None


class _MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, member):
        return f"{member.user.full_name} · {member.title}" if member.title else member.user.full_name


class WatchlistForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}))
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                    help_text=_("Optional. When given, only a visitor with the same date of "
                                                "birth (or none given) matches."))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("Seen only by managers and the owner; never shown to the visitor "
                                         "or the desk."))

    @classmethod
    def for_entry(cls, entry, data=None) -> WatchlistForm:
        initial = {"full_name": entry.full_name, "date_of_birth": entry.date_of_birth, "reason": entry.reason}
        return cls(data, initial=initial)


class DeliveryForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=None, empty_label=None)
    recipient = _MemberChoiceField(label=_("Recipient"), queryset=None, empty_label="",
                                   help_text=_("They get an e-mail that a package is waiting."))
    carrier = forms.CharField(label=_("Carrier"), max_length=100,
                              widget=forms.TextInput(attrs={"autocomplete": "off", "list": "carriers"}))
    tracking = forms.CharField(label=_("Tracking number"), max_length=100, required=False,
                               widget=forms.TextInput(attrs={"autocomplete": "off"}))
    description = forms.CharField(label=_("Description"), max_length=200, required=False,
                                  widget=forms.TextInput(attrs={"placeholder": _("e.g. small box")}))
    storage_spot = forms.CharField(label=_("Where it is kept"), max_length=100, required=False,
                                   widget=forms.TextInput(attrs={"placeholder": _("e.g. shelf B, safe")}))
    photo = forms.FileField(label=_("Photo"), required=False, widget=forms.FileInput(attrs={
        "accept": "image/jpeg,image/png,image/webp,image/gif", "capture": "environment"}))

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = organization.sites.filter(active=True)
        self.fields["recipient"].queryset = organization.members.filter(active=True).select_related(
            "user").order_by("user__full_name")
        self.fields["photo"].help_text = gettext(
            "Optional: a JPEG, PNG, WebP or GIF picture of at most %(size)s.") % {
            "size": filesizeformat(MAX_PHOTO_BYTES)}

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if not photo:
            return None
        if photo.size > MAX_PHOTO_BYTES:
            raise ValidationError(gettext("The photo is %(size)s; the most it may be is %(limit)s.") % {
                "size": filesizeformat(photo.size), "limit": filesizeformat(MAX_PHOTO_BYTES)})
        head = photo.read(16)
        photo.seek(0)
        found = image_type(head)
        if found is None:
            raise ValidationError(_("That file is not a picture. Use a JPEG, PNG, WebP or GIF photo."))
        # A name of our own: the sender's file name says nothing we need and may say too much.
        photo.name = secrets.token_hex(8) + found[1]
        return photo


class PickupForm(forms.Form):
    picked_up_by_name = forms.CharField(label=_("Collected by"), max_length=200, required=False,
                                        widget=forms.TextInput(attrs={"autocomplete": "off"}),
                                        help_text=_("Leave empty when the recipient collects it."))


class KioskForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=None, empty_label=None)
    name = forms.CharField(label=_("Name"), max_length=100,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True,
                                                         "placeholder": _("e.g. Entrance tablet")}))

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = organization.sites.filter(active=True)


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"),
                             choices=[(key, capfirst(label)) for key, label in VisitDocument.KINDS])
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 12}),
                           help_text=_("The words the visitor reads and accepts on the kiosk."))
    visit_types = forms.MultipleChoiceField(label=_("Types of visit"), required=False,
                                            widget=forms.CheckboxSelectMultiple,
                                            help_text=_("None ticked: every visitor accepts it."))

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        choices = presets.visit_type_choices(organization.vertical)
        known = {key for key, _label in choices}
        # A document may name a type the vertical no longer has: keep it choosable so saving keeps it.
        extra = [(key, key) for key in self.initial.get("visit_types", []) if key not in known]
        self.fields["visit_types"].choices = choices + extra

    @classmethod
    def for_document(cls, document, data=None, *, organization: Organization) -> DocumentForm:
        initial = {"kind": document.kind, "title": document.title, "body": document.body,
                   "visit_types": list(document.visit_types)}
        return cls(data, initial=initial, organization=organization)
