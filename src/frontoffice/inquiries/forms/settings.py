"""Forms of the inquiry settings: a category (its department and response targets) and the channels.

They parse what was typed into the arguments of ``services.categories``; the rules live there, and
``core.forms.add_service_errors`` shows their refusals on the inputs.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from frontoffice.core.models import Organization
from frontoffice.inquiries.models import Category, Channels
from frontoffice.inquiries.services.categories import TARGET_HOURS

_LOW, _HIGH = TARGET_HOURS


def _hours_field(label, help_text) -> forms.DecimalField:
    return forms.DecimalField(label=label, min_value=_LOW, max_value=_HIGH, max_digits=6, decimal_places=2,
                              help_text=help_text, widget=forms.NumberInput(attrs={"step": "0.25",
                                                                                   "class": "hours"}))


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, widget=forms.TextInput(attrs={
        "autocomplete": "off", "autofocus": True, "placeholder": _("e.g. Billing")}))
    department = forms.ModelChoiceField(label=_("Routed to"), queryset=None, required=False,
                                        empty_label=_("— no department: the desk answers —"),
                                        help_text=_("New questions in this category go to this department's "
                                                    "queue."))
    first_answer_hours = _hours_field(_("First answer within (business hours)"),
                                      _("Counted in the site's opening hours: closed days do not count."))
    resolution_hours = _hours_field(_("Resolved within (business hours)"),
                                    _("At least as long as the first answer's target."))
    key = forms.CharField(label=_("Key"), max_length=40, required=False, widget=forms.TextInput(attrs={
        "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("A short name for the API and imports: small letters, digits and hyphens. Empty: made "
                    "from the name."))
    active = forms.BooleanField(label=_("In use"), required=False, initial=True,
                                help_text=_("A category out of use is not offered for new questions; the "
                                            "questions filed under it keep it."))

    def __init__(self, *args, organization: Organization, category: Category | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.category = category
        departments = organization.departments.filter(active=True)
        if category is not None and category.department_id:  # a switched-off department stays shown
            departments = organization.departments.filter(active=True) | organization.departments.filter(
                pk=category.department_id)
        self.fields["department"].queryset = departments.order_by("name")
        if category is None:
            del self.fields["active"]

    @classmethod
    def for_category(cls, category: Category | None, data=None, *,
                     organization: Organization) -> CategoryForm:
        initial = {"first_answer_hours": 4, "resolution_hours": 16}
        if category is not None:
            initial = {"name": category.name, "key": category.key, "department": category.department,
                       "first_answer_hours": category.first_answer_hours,
                       "resolution_hours": category.resolution_hours, "active": category.active}
        return cls(data, initial=initial, organization=organization, category=category)

    def service_fields(self) -> dict:
        data = self.cleaned_data
        fields = {"key": data.get("key") or "", "name": data["name"], "department": data.get("department"),
                  "first_answer_hours": data["first_answer_hours"],
                  "resolution_hours": data["resolution_hours"]}
        if self.category is not None:
            fields["active"] = data.get("active", False)
            fields["key"] = fields["key"] or self.category.key  # emptied: kept as it was
        return fields


class ChannelsForm(forms.Form):
    address = forms.EmailField(label=_("Inquiry address"), required=False, widget=forms.EmailInput(attrs={
        "autocomplete": "off", "placeholder": _("e.g. questions@example.com")}),
        help_text=_("Answers are sent from this address; clients write to it."))
    imap_host = forms.CharField(label=_("IMAP server"), max_length=200, required=False,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                                              "placeholder": "imap.example.com"}),
        help_text=_("Empty: the mailbox is not read (use the inbound webhook below, or none)."))
    imap_port = forms.IntegerField(label=_("Port"), min_value=1, max_value=65535, initial=993,
                                   help_text=_("993 with TLS; 143 with STARTTLS."))
    imap_ssl = forms.BooleanField(label=_("Connect with TLS (port 993)"), required=False, initial=True,
                                  help_text=_("Unticked: STARTTLS on a plain connection."))
    imap_user = forms.CharField(label=_("User name"), max_length=200, required=False, widget=forms.TextInput(
        attrs={"autocomplete": "off", "spellcheck": "false"}))
    imap_password = forms.CharField(label=_("Password"), max_length=200, required=False, strip=False,
                                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    imap_folder = forms.CharField(label=_("Folder"), max_length=100, initial="INBOX",
                                  help_text=_("New messages in it become inquiries, and are marked read."))
    site = forms.ModelChoiceField(label=_("Site of new questions"), queryset=None, required=False,
                                  empty_label=_("— the first site —"),
                                  help_text=_("Its opening hours count the response targets of e-mailed and "
                                              "web-form questions."))
    default_category = forms.ModelChoiceField(label=_("Category of e-mailed questions"), queryset=None,
                                              required=False, empty_label=_("— the general category —"))
    public_faq = forms.BooleanField(label=_("Publish the FAQ page"), required=False,
                                    help_text=_("Your public articles, searchable by anyone, with “Was this "
                                                "helpful?”."))
    public_form = forms.BooleanField(label=_("Accept questions from the web form"), required=False,
                                     help_text=_("A form you can link to or embed in your website."))

    def __init__(self, *args, organization: Organization, channels: Channels, **kwargs):
        super().__init__(*args, **kwargs)
        self.channels = channels
        self.fields["site"].queryset = organization.sites.filter(active=True).order_by("name")
        self.fields["default_category"].queryset = Category.objects.filter(organization=organization,
                                                                           active=True)
        if channels.imap_password:
            self.fields["imap_password"].help_text = gettext(
                "Saved. Leave empty to keep it; type a new one to replace it.")

    @classmethod
    def for_channels(cls, channels: Channels, data=None, *, organization: Organization) -> ChannelsForm:
        initial = {name: getattr(channels, name) for name in (
            "address", "imap_host", "imap_port", "imap_ssl", "imap_user", "imap_folder", "site",
            "default_category", "public_faq", "public_form")}
        return cls(data, initial=initial, organization=organization, channels=channels)

    def service_fields(self) -> dict:
        return dict(self.cleaned_data)
