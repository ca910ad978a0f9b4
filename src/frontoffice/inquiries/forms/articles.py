"""Forms of the knowledge-base pages. They parse what was typed; the rules (a question and an answer are
needed, a category of the organisation…) live in ``services.articles``, whose refusals come back here."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from frontoffice.clients.forms import put_errors
from frontoffice.core.models import Member, Organization
from frontoffice.inquiries.models import Article, Category
from frontoffice.inquiries.services.articles import ANSWER_MAX, KEYWORDS_MAX, QUESTION_MAX


def _categories(organization: Organization):
    return Category.objects.filter(organization=organization).order_by("position", "name")


def _languages():
    return [(code, _(str(name))) for code, name in settings.LANGUAGES]


class ArticleForm(forms.Form):
    question = forms.CharField(label=_("Question"), max_length=QUESTION_MAX,
                               widget=forms.TextInput(attrs={"autocomplete": "off"}),
                               help_text=_("As a client would ask it."))
    answer = forms.CharField(label=_("Answer"), max_length=ANSWER_MAX, widget=forms.Textarea(attrs={"rows": 8}),
                             help_text=_("The text the desk reads out or copies into a reply."))
    keywords = forms.CharField(label=_("Keywords"), max_length=KEYWORDS_MAX, required=False,
                               help_text=_("Other words clients use for it, separated by spaces or commas."))
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none(), required=False,
                                      empty_label=_("no category"))
    language = forms.ChoiceField(label=_("Language"))
    audience = forms.ChoiceField(label=_("Who may read it"), choices=Article.Audience.choices,
                                 initial=Article.Audience.INTERNAL, widget=forms.RadioSelect)
    is_canned_reply = forms.BooleanField(label=_("Canned e-mail reply"), required=False)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=Member.objects.none(), required=False,
                                   empty_label=_("nobody"), help_text=_("Who keeps it up to date."))
    review_on = forms.DateField(label=_("Review by"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["category"].queryset = _categories(organization)
        self.fields["language"].choices = _languages()
        self.fields["owner"].queryset = (Member.objects.filter(organization=organization, active=True)
                                         .select_related("user").order_by("user__full_name", "pk"))

    @classmethod
    def for_article(cls, article: Article) -> ArticleForm:
        return cls(organization=article.organization, initial={
            "question": article.question, "answer": article.answer, "keywords": article.keywords,
            "category": article.category_id, "language": article.language, "audience": article.audience,
            "is_canned_reply": article.is_canned_reply, "owner": article.owner_id, "review_on": article.review_on})

    @classmethod
    def blank(cls, organization: Organization, member: Member) -> ArticleForm:
        return cls(organization=organization, initial={"language": organization.language or "en",
                                                       "owner": member.pk, "audience": Article.Audience.INTERNAL})

    def service_fields(self) -> dict:
        return dict(self.cleaned_data)

    def add_service_errors(self, exc: ValidationError) -> None:
        put_errors(self, exc)


class ArticleFilterForm(forms.Form):
    """The knowledge base's filters (GET). Every field is optional; a bad value falls back to its default."""

    ACTIVE, CANNED, RETIRED = "active", "canned", "retired"

    q = forms.CharField(label=_("Search"), required=False, max_length=200,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}))
    language = forms.ChoiceField(label=_("Language"), required=False)
    audience = forms.ChoiceField(label=_("Who may read it"), required=False)
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none(), required=False,
                                      empty_label=_("every category"))
    state = forms.ChoiceField(label=_("Show"), required=False, choices=[
        (ACTIVE, _("in use")), (CANNED, _("canned e-mail replies")), (RETIRED, _("retired"))])
    offset = forms.IntegerField(required=False, min_value=0, max_value=100_000, widget=forms.HiddenInput)

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("every language")), *_languages()]
        self.fields["audience"].choices = [("", _("staff and public")), *Article.Audience.choices]
        self.fields["category"].queryset = _categories(organization)

    def value(self, name: str):
        """The cleaned value, or None when it was left empty or was not valid."""
        if not self.is_bound or name in self.errors:
            return None
        return self.cleaned_data.get(name) or None
