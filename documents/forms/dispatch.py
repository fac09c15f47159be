"""The dispatch form: what to send (a kind, then documents of it), to whom, with which words.

The choices come from selectors: only the firm's own contacts that have an e-mail, only the
tenant's active templates of the chosen kind. Anything else posted (a contact of another firm
or tenant, a template of another kind or tenant) is an ordinary "not a valid choice" error.
"""

from django import forms
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from documents.models import CONTACT_CARD, DISPATCH_KINDS, DocumentKind
from documents.selectors import dispatch as selectors

MESSAGE_LIMIT = 10000
KIND_CODES = {code for code, _label in DISPATCH_KINDS}

SUBJECTS = {
    DocumentKind.OFFER: gettext_lazy("Our offer"),
    DocumentKind.CONTRACT: gettext_lazy("Your contract"),
    DocumentKind.ORDER_CONTRACT: gettext_lazy("Your order contract"),
    DocumentKind.BROCHURE: gettext_lazy("Our brochure"),
    DocumentKind.PRESENTATION: gettext_lazy("Our presentation"),
    DocumentKind.MAGAZINE: gettext_lazy("Our magazine"),
    DocumentKind.CD: gettext_lazy("Our CD"),
    DocumentKind.FILM: gettext_lazy("Our promotional film"),
    DocumentKind.INVOICE: gettext_lazy("Your invoice"),
    DocumentKind.OTHER: gettext_lazy("Documents for you"),
    CONTACT_CARD: gettext_lazy("Our contact information"),
}
MESSAGES = {
    DocumentKind.OFFER: gettext_lazy(
        "Thank you for your interest. You will find our offer with this e-mail."
    ),
    DocumentKind.CONTRACT: gettext_lazy("You will find the contract with this e-mail."),
    DocumentKind.ORDER_CONTRACT: gettext_lazy("You will find the order contract with this e-mail."),
    DocumentKind.BROCHURE: gettext_lazy("You will find our brochure with this e-mail."),
    DocumentKind.PRESENTATION: gettext_lazy("You will find our presentation with this e-mail."),
    DocumentKind.MAGAZINE: gettext_lazy(
        "You will find the latest issue of our magazine with this e-mail."
    ),
    DocumentKind.CD: gettext_lazy("You will find the contents of our CD with this e-mail."),
    DocumentKind.FILM: gettext_lazy("You will find our short promotional film with this e-mail."),
    DocumentKind.INVOICE: gettext_lazy("You will find the invoice with this e-mail."),
    DocumentKind.OTHER: gettext_lazy("You will find the documents with this e-mail."),
    CONTACT_CARD: gettext_lazy("Here is how to reach us; we look forward to hearing from you."),
}


def default_texts(*, kind, language, company, sender, title=""):
    """``(subject, message)`` prefilled for ``kind`` in ``language``; ``title`` (a record's,
    such as "Offer 2025-0012") replaces the kind's own words in the subject."""
    with translation.override(language):
        what = title or str(SUBJECTS.get(kind, SUBJECTS[DocumentKind.OTHER]))
        subject = _("%(what)s – %(company)s") % {"what": what, "company": company}
        body = str(MESSAGES.get(kind, MESSAGES[DocumentKind.OTHER]))
        message = f"{body}\n\n{_('Kind regards,')}\n{sender}"
    return subject, message


class ContactChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        title = f", {obj.job_title}" if obj.job_title else ""
        return f"{obj.full_name}{title} — {obj.first_email}"


class TemplateChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        language = translation.get_language_info(obj.language)["name_local"]
        return f"{obj.name} ({obj.get_form_display()}, {language})"


class DispatchForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What to send"))
    contacts = ContactChoiceField(
        label=gettext_lazy("To"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one contact.")},
        help_text=gettext_lazy("The firm's contacts that have an e-mail address."),
    )
    templates = TemplateChoiceField(
        label=gettext_lazy("Documents"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=255)
    message = forms.CharField(
        label=gettext_lazy("Message"),
        max_length=MESSAGE_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def __init__(self, *args, tenant, firm, source=None, record=None, kind_url="", **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant, self.firm = tenant, firm
        self.source, self.record = source, record
        if source is not None:
            self.fields["kind"].choices = [c for c in DISPATCH_KINDS if c[0] == source.kind]
        else:
            self.fields["kind"].choices = [("", "---------"), *DISPATCH_KINDS]
            self.fields["kind"].widget.attrs.update(
                {"hx-get": kind_url, "hx-target": "#dispatch-kind-fields", "hx-trigger": "change"}
            )
        self.fields["contacts"].queryset = selectors.dispatch_contacts(tenant=tenant, firm=firm)
        self.fields["templates"].queryset = selectors.dispatch_templates(
            tenant=tenant, kind=self.chosen_kind
        )

    @property
    def chosen_kind(self):
        """The kind posted (or given initially) if it is a real one, else ""."""
        if self.source is not None:
            return self.source.kind
        raw = self.data.get("kind") if self.is_bound else self.initial.get("kind")
        return raw if isinstance(raw, str) and raw in KIND_CODES else ""

    def clean_subject(self):
        return " ".join(self.cleaned_data["subject"].split())

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        templates = cleaned.get("templates")
        if kind == CONTACT_CARD:
            if templates:
                self.add_error("templates", _("The contact information is sent on its own."))
            if selectors.contact_card(tenant=self.tenant) is None:
                self.add_error("kind", _("Fill in the contact card in the document library first."))
        elif kind and not templates and self.record is None and "templates" not in self.errors:
            self.add_error("templates", _("Choose at least one document of this kind."))
        return cleaned

    def service_data(self):
        data = {name: self.cleaned_data[name] for name in ("kind", "subject", "message")}
        data["contacts"] = list(self.cleaned_data["contacts"])
        data["templates"] = list(self.cleaned_data.get("templates") or [])
        return data
