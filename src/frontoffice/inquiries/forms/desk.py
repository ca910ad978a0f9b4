"""Forms of the desk pages: the phone/walk-in screen, the answer box and the actions on an inquiry, and the
desk's filters. They parse what was typed and put the services' refusals back on the right inputs; the rules
(a client is needed, a closed inquiry takes no answer…) live in ``services.inquiries``."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from frontoffice.clients import queries as client_queries
from frontoffice.clients.forms import put_errors
from frontoffice.clients.models import Client
from frontoffice.core.models import Department, Member, Organization, Site
from frontoffice.inquiries.models import Article, Category, Inquiry

TEXT_MAX = 20000

# What the services call a field, and the input of the phone screen that shows it.
NEW_FIELDS = {"new_client": "client_name", "full_name": "client_name", "name": "client_name",
              "first_name": "client_name", "last_name": "client_name", "phone": "client_phone",
              "phones": "client_phone", "email": "client_email", "emails": "client_email",
              "text": "answer", "article_ids": "article", "assigned_to": "", "contact_email": "client_email"}
ANSWER_FIELDS = {"article_ids": "article", "inquiry": "", "send_email": ""}


def categories_of(organization: Organization):
    return Category.objects.filter(organization=organization, active=True).select_related("department")


def departments_of(organization: Organization):
    return Department.objects.filter(organization=organization, active=True).order_by("name", "pk")


def members_of(organization: Organization):
    return Member.objects.filter(organization=organization, active=True).select_related("user").order_by(
        "user__full_name", "pk")


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, member: Member) -> str:
        return member.user.full_name or member.user.email


class ArticleIdsField(forms.Field):
    """The articles inserted into the answer: one hidden input per article, each its id."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
        ids = []
        for item in values:
            text = str(item).strip()
            if not text.isdigit():
                raise ValidationError(_("An inserted article is not in the knowledge base."))
            if int(text) not in ids:
                ids.append(int(text))
        return ids[:20]


def _articles(organization: Organization, ids: list[int]) -> list[Article]:
    """The inserted articles, checked to be this organisation's (in the order they were inserted)."""
    rows = Article.objects.filter(organization=organization, pk__in=ids).only("pk", "question")
    found = {article.pk: article for article in rows}
    if len(found) != len(ids):
        raise ValidationError(_("An inserted article is not in the knowledge base any more."))
    return [found[pk] for pk in ids]


class InquiryNewForm(forms.Form):
    """The phone / walk-in screen: who asks, what about, the question, and (often) the answer at once."""

    CLOSE, ANSWER, SAVE = "close", "answer", "save"
    CHANNELS = [Inquiry.Channel.PHONE, Inquiry.Channel.WALK_IN, Inquiry.Channel.LETTER]

    client = forms.IntegerField(required=False, widget=forms.HiddenInput(attrs={"id": "inq-client"}))
    client_name = forms.CharField(
        label=_("Client"), required=False, max_length=250, widget=forms.TextInput(attrs={
            "id": "inq-client-name", "autocomplete": "off", "autofocus": True,
            "placeholder": _("Name, phone or e-mail")}))
    client_phone = forms.CharField(
        label=_("Phone"), required=False, max_length=40, widget=forms.TextInput(attrs={
            "id": "inq-client-phone", "type": "tel", "inputmode": "tel", "autocomplete": "off"}))
    client_email = forms.EmailField(
        label=_("E-mail"), required=False, max_length=254,
        widget=forms.EmailInput(attrs={"id": "inq-client-email", "autocomplete": "off"}))
    channel = forms.ChoiceField(
        label=_("Asked by"), choices=[(c.value, c.label) for c in CHANNELS], initial=Inquiry.Channel.PHONE,
        widget=forms.Select(attrs={"id": "inq-channel"}))
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none(), required=False,
                                  empty_label=None, widget=forms.Select(attrs={"id": "inq-site"}))
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none(),
                                      widget=forms.Select(attrs={"id": "inq-category"}))
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Inquiry.Priority.choices, initial=Inquiry.Priority.NORMAL,
        widget=forms.Select(attrs={"id": "inq-priority"}))
    subject = forms.CharField(
        label=_("Subject"), required=False, max_length=200, widget=forms.TextInput(attrs={
            "id": "inq-subject", "autocomplete": "off",
            "placeholder": _("Empty: the question's first line")}))
    question = forms.CharField(
        label=_("Question"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={
            "id": "inq-question", "rows": 4, "placeholder": _("What does the client want to know?")}))
    answer = forms.CharField(
        label=_("Answer"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={
            "id": "inq-answer", "rows": 7,
            "placeholder": _("Type the answer, or insert a suggested article")}))
    article = ArticleIdsField(required=False)
    action = forms.ChoiceField(required=False, choices=[(CLOSE, CLOSE), (ANSWER, ANSWER), (SAVE, SAVE)])

    def __init__(self, *args, organization: Organization, sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["category"].queryset = categories_of(organization)
        sites = sites if sites is not None else Site.objects.filter(organization=organization, active=True)
        self.fields["site"].queryset = sites
        self.articles: list[Article] = []
        self.chosen_client: Client | None = None

    def focus(self) -> InquiryNewForm:
        """The cursor where typing goes on: the first input with an error, else the question once the client
        is known, else the client field."""
        visible = [name for name in self.fields if not self.fields[name].widget.is_hidden]
        wrong = next((name for name in visible if name in self.errors), None)
        if wrong is None and ("client" in self.errors or "article" in self.errors):
            wrong = "client_name" if "client" in self.errors else "answer"
        known = self.chosen_client is not None or (not self.is_bound and self.initial.get("client"))
        chosen = wrong or ("question" if known else "client_name")
        for name in visible:
            self.fields[name].widget.attrs.pop("autofocus", None)
        self.fields[chosen].widget.attrs["autofocus"] = True
        return self

    @property
    def several_sites(self) -> bool:
        return len(self.fields["site"].queryset) > 1

    def clean_client(self) -> Client | None:
        pk = self.cleaned_data.get("client")
        if pk is None:
            return None
        found = client_queries.clients_of(self.organization).filter(pk=pk).first()
        if found is None:
            raise ValidationError(_("That client is not in the list any more; search again."))
        self.chosen_client = found
        return found

    def clean_article(self) -> list[int]:
        ids = self.cleaned_data.get("article") or []
        self.articles = _articles(self.organization, ids)
        return ids

    def clean(self):
        data = super().clean()
        named = (data.get("client_name") or "").strip()
        if not data.get("client") and "client" not in self.errors and not named:
            self.add_error("client_name", _("Find the client, or type the new client's name."))
        action = data.get("action") or self.CLOSE
        data["action"] = action
        answer = (data.get("answer") or "").strip()
        if action in (self.CLOSE, self.ANSWER) and not answer and "answer" not in self.errors:
            self.add_error("answer", _("Type the answer, or insert one of the suggested articles."))
        if action == self.SAVE and answer:
            self.add_error("answer", _("Send the answer, or clear it: “Save for later” keeps the question "
                                       "without an answer."))
        return data

    def open_fields(self) -> dict:
        """Keyword arguments for ``inquiry_open``."""
        data = self.cleaned_data
        fields = {"channel": data["channel"], "category": data["category"], "priority": data["priority"],
                  "subject": data.get("subject", ""), "question": data["question"],
                  "site": data.get("site") or None}
        if data.get("client"):
            fields["client"] = data["client"]
        else:
            fields["new_client"] = {"full_name": " ".join(data["client_name"].split()),
                                    "phone": data.get("client_phone", "").strip(),
                                    "email": data.get("client_email", "").strip()}
        return fields

    def answer_fields(self) -> dict:
        """Keyword arguments for ``inquiry_answer`` (after the inquiry is open)."""
        data = self.cleaned_data
        return {"text": data["answer"], "article_ids": list(data.get("article") or []),
                "close": data["action"] == self.CLOSE}

    def add_service_errors(self, exc: ValidationError) -> None:
        put_errors(self, exc, NEW_FIELDS)


class AnswerForm(forms.Form):
    """The answer box of an inquiry: the text (perhaps from articles), send it by e-mail, close or not."""

    text = forms.CharField(label=_("Answer"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={
        "id": "inq-answer", "rows": 7, "placeholder": _("Type the answer, or insert a suggested article")}),
        error_messages={"required": _("Type the answer, or insert one of the suggested articles.")})
    article = ArticleIdsField(required=False)
    send_email = forms.BooleanField(label=_("Send it to the client by e-mail"), required=False, initial=True,
                                    widget=forms.CheckboxInput(attrs={"id": "inq-send-email"}))
    close = forms.BooleanField(required=False)

    def __init__(self, *args, organization: Organization, can_email: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.can_email = can_email
        self.articles: list[Article] = []
        if not can_email:
            del self.fields["send_email"]

    def clean_article(self) -> list[int]:
        ids = self.cleaned_data.get("article") or []
        self.articles = _articles(self.organization, ids)
        return ids

    def service_fields(self) -> dict:
        data = self.cleaned_data
        fields = {"text": data["text"], "article_ids": list(data.get("article") or []),
                  "close": data["close"]}
        if self.can_email:
            fields["send_email"] = bool(data.get("send_email"))
        return fields

    def add_service_errors(self, exc: ValidationError) -> None:
        put_errors(self, exc, ANSWER_FIELDS)


class ForwardForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Forward to"), queryset=Department.objects.none(),
                                        empty_label=_("— choose a department"),
                                        widget=forms.Select(attrs={"id": "inq-forward-to"}),
                                        error_messages={
                                            "required": _("Choose the department."),
                                            "invalid_choice": _("Choose a department from the list.")})
    note = forms.CharField(label=_("Note for the department"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"id": "inq-forward-note", "rows": 2,
                                                        "placeholder": _("A note for them (optional)")}))

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments_of(organization)

    def add_service_errors(self, exc: ValidationError) -> None:
        put_errors(self, exc)


class AssignForm(forms.Form):
    member = MemberChoiceField(label=_("Assigned to"), queryset=Member.objects.none(), required=False,
                               empty_label=_("— nobody"), widget=forms.Select(attrs={"id": "inq-assign-to"}),
                               error_messages={"invalid_choice": _("Choose a person from the list.")})

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members_of(organization)

    def add_service_errors(self, exc: ValidationError) -> None:
        put_errors(self, exc, {"assigned_to": "member"})


class EditForm(forms.Form):
    """What the inquiry is about: a new category routes it again and sets new due times."""

    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none(),
                                      widget=forms.Select(attrs={"id": "inq-edit-category"}))
    priority = forms.ChoiceField(label=_("Priority"), choices=Inquiry.Priority.choices,
                                 widget=forms.Select(attrs={"id": "inq-edit-priority"}))

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories_of(organization)

    def changed_fields(self, inquiry: Inquiry) -> dict:
        data = self.cleaned_data
        fields = {}
        if data["category"].pk != inquiry.category_id:
            fields["category"] = data["category"]
        if data["priority"] != inquiry.priority:
            fields["priority"] = data["priority"]
        return fields

    def add_service_errors(self, exc: ValidationError) -> None:
        put_errors(self, exc)


class NoteForm(forms.Form):
    """A free text: the internal note, the reason for reopening, what is asked of the client."""

    text = forms.CharField(label=_("Note"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}),
                           error_messages={"required": _("Type the note.")})

    def __init__(self, *args, required: bool = True, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].required = required
        if label is not None:
            self.fields["text"].label = label

    def add_service_errors(self, exc: ValidationError) -> None:
        put_errors(self, exc, {"note": "text", "reason": "text", "body": "text"})


class ActionForm(forms.Form):
    """An action with nothing to type (close): it only carries a refusal back to the page."""

    def add_service_errors(self, exc: ValidationError) -> None:
        put_errors(self, exc)


def note_form(data=None) -> NoteForm:
    return NoteForm(data, prefix="note", label=_("Internal note"))


def wait_form(data=None) -> NoteForm:
    return NoteForm(data, prefix="wait", required=False, label=_("What is the client to send or say?"))


def reopen_form(data=None) -> NoteForm:
    return NoteForm(data, prefix="reopen", required=False, label=_("Why reopen it?"))


class DeskFilterForm(forms.Form):
    """The desk's filters (GET). Every field is optional; a wrong value is a 400 with the form."""

    OPEN = "open"
    ME, NOBODY = "me", "nobody"

    q = forms.CharField(label=_("Find"), required=False, max_length=100, widget=forms.TextInput(attrs={
        "type": "search", "autocomplete": "off", "placeholder": _("Subject or reference")}))
    status = forms.ChoiceField(label=_("Status"), required=False)
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none(), required=False,
                                      empty_label=_("every category"))
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none(),
                                        required=False, empty_label=_("every department"))
    assigned = forms.ChoiceField(label=_("Assigned to"), required=False)
    overdue = forms.BooleanField(label=_("overdue only"), required=False)
    client = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["status"].choices = [("", _("any status")), (self.OPEN, _("still open")),
                                         *Inquiry.Status.choices]
        self.fields["category"].queryset = Category.objects.filter(organization=organization)
        self.fields["department"].queryset = Department.objects.filter(
            organization=organization).order_by("name")
        people = [(f"m{m.pk}", m.user.full_name or m.user.email) for m in members_of(organization)]
        self.fields["assigned"].choices = [("", _("anyone")), (self.ME, _("me")), (self.NOBODY, _("nobody")),
                                           (_("People"), people)]

    def clean_client(self) -> Client | None:
        pk = self.cleaned_data.get("client")
        if pk is None:
            return None
        found = Client.objects.filter(organization=self.organization, pk=pk).first()
        if found is None:
            raise ValidationError(_("No such client."))
        return found

    @property
    def active(self) -> bool:
        """Did the member ask for a filtered list (else the desk shows its two lists)?"""
        return self.is_bound and any(self.data.get(name) for name in self.fields)

    def assigned_member(self, me: Member) -> Member | str | None:
        value = self.cleaned_data.get("assigned") or ""
        if value == self.ME:
            return me
        if value == self.NOBODY:
            return self.NOBODY
        if value[:1] == "m" and value[1:].isdigit():
            return Member.objects.filter(organization=self.organization, pk=value[1:]).first()
        return None
