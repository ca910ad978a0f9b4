"""The public pages' forms: "was this helpful?", the web form's question, the 1-5 rating.

The web form keeps spam out without a captcha: a field people never see (a bot fills it in), and a
signed stamp written when the form was shown. The stamp says when, and from which source (the keyed hash
of ``ratelimit.source_hash``): a form sent back within seconds was not typed by a person, and a stamp
fetched elsewhere cannot be replayed from other browsers. That makes the stamp the form's anti-forgery
token, which the page needs because an embedded form cannot rely on the CSRF cookie (browsers withhold
it from a form framed on another site).
"""

from __future__ import annotations

import time

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from frontoffice.core import phones
from frontoffice.inquiries.models import Category
from frontoffice.inquiries.services.feedback import COMMENT_MAX

STAMP_SALT = "frontoffice.inquiries.public.ask"
MIN_FILL_SECONDS = 3  # nobody types a question faster
MAX_FORM_AGE = 24 * 3600  # a form left open longer is sent again, with what was typed kept
HONEYPOT = "website"

YES, NO = "yes", "no"


class FeedbackForm(forms.Form):
    helpful = forms.ChoiceField(choices=[(YES, _("Yes")), (NO, _("No"))],
                                error_messages={"required": _("Please choose Yes or No.")})
    comment = forms.CharField(label=_("Comment (optional)"), required=False, max_length=COMMENT_MAX,
                              widget=forms.Textarea(attrs={"rows": 2}))

    @property
    def is_helpful(self) -> bool:
        return self.cleaned_data["helpful"] == YES


def new_stamp(source: str) -> str:
    return signing.dumps({"t": int(time.time()), "s": source[:16]}, salt=STAMP_SALT, compress=True)


class AskForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200,
                           error_messages={"required": _("Please type your name.")})
    email = forms.EmailField(label=_("E-mail"), required=False, max_length=254)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    category = forms.ModelChoiceField(label=_("Topic"), queryset=Category.objects.none(),
                                      empty_label=_("Choose a topic"),
                                      error_messages={"required": _("Please choose a topic.")})
    question = forms.CharField(label=_("Your question"), max_length=5000,
                               widget=forms.Textarea(attrs={"rows": 6}),
                               error_messages={"required": _("Please type your question.")})
    # Hidden from people (CSS, aria-hidden, no tab stop); a bot filling every field gives itself away.
    # Hidden from people (CSS, aria-hidden, no tab stop); a bot filling every field gives itself away.
    website = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200)

    def __init__(self, *args, organization, source: str, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.source = source
        self.fields["category"].queryset = categories
        # Rendered as the hidden "stamp": fresh on every showing, since a form shown again is a new form.
        self.fresh_stamp = new_stamp(source)
        self.fields["name"].widget.attrs.update(autocomplete="name")
        self.fields["email"].widget.attrs.update(autocomplete="email")
        self.fields["phone"].widget.attrs.update(autocomplete="tel", inputmode="tel")
        self.fields[HONEYPOT].widget.attrs.update(autocomplete="off", tabindex="-1")

    @property
    def is_spam(self) -> bool:
        """A bot filled in the field people never see: answer as if all went well, keep nothing."""
        return bool(self.is_bound and (self.data.get(HONEYPOT) or "").strip())

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean_phone(self):
        text = self.cleaned_data["phone"].strip()
        return phones.normalize(text, self.organization.country) if text else ""

    def clean(self):
        data = super().clean()
        if not data.get("email") and not data.get("phone") and "email" not in self.errors \
                and "phone" not in self.errors:
            self.add_error("email", _("Give us an e-mail address or a phone number, so we can answer you."))
        # Only a form that is otherwise fine is judged by its stamp: one with mistakes goes back anyway,
        # with a fresh stamp, and a second message would only confuse.
        problem = None if self.errors else self.stamp_problem()
        if problem:
            raise ValidationError(problem, code="stamp")
        return data

    def stamp_problem(self) -> str | None:
        try:
            stamp = signing.loads(self.data.get("stamp", ""), salt=STAMP_SALT, max_age=MAX_FORM_AGE)
        except signing.SignatureExpired:
            return _("This form was open for a long time. Please check your question and send it again.")
        except signing.BadSignature:
            return _("Please check your question and send it again.")
        if stamp.get("s") != self.source[:16]:
            return _("Please check your question and send it again.")
        if time.time() - stamp.get("t", 0) < MIN_FILL_SECONDS:
            return _("That was quick! Please check your question and send it again.")
        return None

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "new_client": {"full_name": data["name"], "phone": data["phone"], "email": data["email"]},
            "category": data["category"], "question": data["question"], "contact_email": data["email"],
        }


RATINGS = (1, 2, 3, 4, 5)


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How happy are you with our answer?"), coerce=int, widget=forms.RadioSelect,
        choices=[(value, str(value)) for value in RATINGS],
        error_messages={"required": _("Please choose a rating from 1 to 5."),
                        "invalid_choice": _("Please choose a rating from 1 to 5.")})
    comment = forms.CharField(label=_("Anything you would like to tell us? (optional)"), required=False,
                              max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
