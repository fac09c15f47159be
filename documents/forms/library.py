"""Forms of the document library: a template, a new version, the list's filters, the preview,
the contact card.

A file is checked by content against its kind's policy (``documents.policies``); HTML is
compiled and rendered to PDF against sample values, so an error names its line before anything
is saved.
"""

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from companies.forms.widgets import FirmPicker, chosen_firm
from core.files import UploadPolicy, clean_upload
from core.views import is_pk
from documents import policies
from documents.models import ContactCard, DocumentKind, TemplateForm
from documents.rendering import MAX_SOURCE, RenderError, html_to_pdf, render_html
from documents.selectors import library as selectors

LOGO_POLICY = UploadPolicy(frozenset({"image/png", "image/jpeg"}), 2 * 1024 * 1024)
# One-line values end up in e-mails and PDFs: no line breaks or other control characters.
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
PHONE = re.compile(r"^[0-9+()\-. /]{3,60}$")


def single_line(value):
    if CONTROL.search(value or ""):
        raise ValidationError(_("Use a single line without control characters."))


def html_error(*, tenant, member, kind, language, html):
    """The error an HTML template gives against sample values (None when it renders)."""
    values = selectors.preview_values(tenant=tenant, member=member, kind=kind, language=language)
    try:
        html_to_pdf(render_html(html, values))
    except RenderError as error:
        return str(error)
    return None


def kind_data(kind):
    """What the upload field shows for ``kind``: accepted extensions and the size limit."""
    policy = policies.policy_for(kind)
    return {
        "accept": policy.accept,
        "types": ", ".join(policy.extensions),
        "limit": filesizeformat(policy.max_size),
        "html": policy.html,
    }


class FileOrHtmlMixin:
    """Validates the version part of a form: the file for a file template, else the HTML."""

    def clean_version(self, *, kind, form, language):
        if self.has_error("file") or self.has_error("html"):
            return  # the field's own error says it already
        if form == TemplateForm.FILE:
            upload = self.cleaned_data.get("file")
            if not upload:
                self.add_error("file", _("Choose the file to upload."))
                return
            try:
                name, content_type = policies.clean_template_file(upload, kind)
            except ValidationError as error:
                self.add_error("file", error)
                return
            self.upload = (upload, content_type, name)
            return
        html = self.cleaned_data.get("html") or ""
        if not html.strip():
            self.add_error("html", _("Write the HTML of the template."))
            return
        error = html_error(
            tenant=self.tenant, member=self.member, kind=kind, language=language, html=html
        )
        if error:
            self.add_error("html", error)


def file_field():
    return forms.FileField(
        label=_("File"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"data-template-file": ""}),
    )


def html_field():
    return forms.CharField(
        label=_("HTML"),
        required=False,
        max_length=MAX_SOURCE,
        strip=False,
        widget=forms.Textarea(
            attrs={"rows": 18, "class": "font-monospace", "spellcheck": "false", "dir": "ltr"}
        ),
        help_text=_("Merge fields are written {{ field_name }}; see the list of fields."),
    )


def note_field():
    return forms.CharField(
        label=_("What changed"), max_length=255, required=False, validators=[single_line]
    )


class TemplateCreateForm(FileOrHtmlMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    form = forms.ChoiceField(
        label=pgettext_lazy("template form", "Form"),
        choices=TemplateForm.choices,
        widget=forms.RadioSelect(attrs={"data-template-form": ""}),
        initial=TemplateForm.FILE,
    )
    name = forms.CharField(label=_("Name"), max_length=200, validators=[single_line])
    description = forms.CharField(
        label=_("Description"), max_length=2000, required=False, widget=forms.Textarea({"rows": 3})
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    file = file_field()
    html = html_field()
    note = note_field()

    def __init__(self, *args, tenant, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant, self.member = tenant, member
        self.upload = None
        self.fields["language"].initial = tenant.language
        self.fields["kind"].widget.attrs["data-template-kind"] = ""
        self.fields["file"].widget.attrs["accept"] = ",".join(
            sorted({ext for exts in policies.EXTENSIONS.values() for ext in exts})
        )

    def clean(self):
        data = super().clean()
        kind, form = data.get("kind"), data.get("form")
        if not kind or not form:
            return data
        if form == TemplateForm.HTML and not policies.policy_for(kind).html:
            self.add_error(
                "form", _("This kind of document cannot be an HTML template; upload a file.")
            )
            return data
        self.clean_version(kind=kind, form=form, language=data.get("language") or "en")
        return data

    def template_data(self):
        return {name: self.cleaned_data[name] for name in ("kind", "form", "name", "description",
                                                           "language")}  # fmt: skip


class TemplateEditForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    name = forms.CharField(label=_("Name"), max_length=200, validators=[single_line])
    description = forms.CharField(
        label=_("Description"), max_length=2000, required=False, widget=forms.Textarea({"rows": 3})
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    def __init__(self, *args, template, **kwargs):
        super().__init__(*args, **kwargs)
        if template.is_html:
            self.fields["kind"].choices = [
                (kind.value, kind.label) for kind in policies.html_kinds()
            ]


class VersionForm(FileOrHtmlMixin, forms.Form):
    """A new version of ``template``: a file or HTML, as the template's form says."""

    file = file_field()
    html = html_field()
    note = note_field()

    def __init__(self, *args, tenant, member, template, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant, self.member, self.template = tenant, member, template
        self.upload = None
        if template.is_html:
            del self.fields["file"]
            self.fields["html"].required = True
        else:
            del self.fields["html"]
            self.fields["file"].required = True
            self.fields["file"].widget.attrs["accept"] = policies.policy_for(template.kind).accept

    def clean(self):
        data = super().clean()
        if not self.errors:
            self.clean_version(
                kind=self.template.kind, form=self.template.form, language=self.template.language
            )
        return data


STATUS_CHOICES = [
    ("active", _("Active")),
    ("inactive", _("Inactive")),
    ("all", pgettext_lazy("templates", "All")),
]


class TemplateFilterForm(forms.Form):
    """The library's filters; a value that does not validate is simply not applied."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *DocumentKind.choices], required=False
    )
    form = forms.ChoiceField(
        label=pgettext_lazy("template form", "Form"),
        choices=[("", _("Files and HTML")), *TemplateForm.choices],
        required=False,
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=[("", _("All languages")), *settings.LANGUAGES], required=False
    )
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)

    def filters(self):
        self.is_valid()
        values = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        values.setdefault("status", "active")
        return values


class PreviewForm(forms.Form):
    """The firm (and the version) a template is previewed for."""

    firm = forms.ModelChoiceField(
        label=_("Firm"),
        queryset=None,
        required=False,
        widget=FirmPicker(empty_label=_("No firm: show the field names")),
    )
    version = forms.ChoiceField(label=_("Version"), required=False)

    def __init__(self, *args, tenant, member, template, versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["firm"].queryset = selectors.preview_firms(tenant=tenant, member=member)
        self.fields["firm"].widget.configure(tenant=tenant)
        self.fields["version"].choices = [("", _("Current version"))] + [
            (str(v.pk), _("Version %(number)s") % {"number": v.number}) for v in versions
        ]
        self.chosen_firm = chosen_firm(self)

    def chosen_version_pk(self):
        raw = self.data.get("version", "") if self.is_bound else ""
        return int(raw) if is_pk(raw) else None


class ContactCardForm(forms.ModelForm):
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": LOGO_POLICY.accept}),
        help_text=_("PNG or JPEG, 2 MB at most."),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    website = forms.URLField(
        label=_("Website"), max_length=200, required=False, assume_scheme="https"
    )

    class Meta:
        model = ContactCard
        fields = ["company_name", "address", "phone", "fax", "email", "website"]
        widgets = {"address": forms.Textarea({"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.logo_type = None
        self.fields["address"].max_length = 1000
        self.fields["address"].widget.attrs["maxlength"] = 1000
        self.fields["company_name"].validators.append(single_line)

    def clean_address(self):
        value = self.cleaned_data.get("address", "")
        if len(value) > 1000:
            raise ValidationError(_("At most 1000 characters."))
        return value

    def _clean_phone(self, name):
        value = self.cleaned_data.get(name, "")
        if value and not PHONE.match(value):
            raise ValidationError(_("Enter a phone number (digits, spaces, + ( ) - . /)."))
        return value

    def clean_phone(self):
        return self._clean_phone("phone")

    def clean_fax(self):
        return self._clean_phone("fax")

    def clean_logo(self):
        upload = self.cleaned_data.get("logo")
        if not upload:
            return None
        self.logo_type = clean_upload(upload, LOGO_POLICY)[1]
        return upload

    def card_data(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
