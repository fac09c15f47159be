"""Meeting-note pages: the list, write and change a note, its page, its files."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from agenda.forms.notes import (
    AppointmentForm,
    AttachmentForm,
    NewContactForm,
    NoteFilterForm,
    NoteForm,
    contact_choices,
)
from agenda.selectors import notes as selectors
from agenda.services import notes as services
from agenda.services.activities import ClashWarning
from core.files import serve
from core.views import TenantView, paginate


class NoteListView(TenantView):
    permissions = {"GET": "notes.view"}

    def get(self, request, tenant_slug):
        form = NoteFilterForm(request.GET or None, tenant=self.tenant, member=self.member)
        filters = form.filters() if form.is_bound else {}
        notes = selectors.note_list(tenant=self.tenant, member=self.member, filters=filters)
        context = {"filter_form": form, "page": paginate(request, notes), "filters": filters}
        if request.htmx:
            return render(request, "agenda/notes/_note_rows.html", context)
        return render(request, "agenda/notes/note_list.html", context)


def attach_errors(error, note_form, appointment_form):
    """Put a service's ValidationError on the form (note or appointment) it belongs to."""
    if not hasattr(error, "error_dict"):
        note_form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form, name = note_form, field
        if field.startswith("appointment."):
            form, name = appointment_form, field.split(".", 1)[1]
        form.add_error(name if name in form.fields else None, errors)


class NoteFormMixin:
    """The note form with its two in-place sub-forms: a new contact and an appointment."""

    template = "agenda/notes/note_form.html"
    note = None

    def build(self, data=None, files=None, initial=None):
        contacts_url = reverse("agenda:note-contact-options", args=[self.tenant.slug])
        self.form = NoteForm(
            data, files, tenant=self.tenant, member=self.member, contacts_url=contacts_url,
            initial=initial, with_attachment=self.note is None,
        )  # fmt: skip
        self.contact_form = NewContactForm(data)
        self.appointment_form = AppointmentForm(data, tenant=self.tenant, member=self.member)

    @property
    def books_appointment(self):
        return self.form.wants_appointment and (self.note is None or not self.note.appointment_id)

    def all_valid(self):
        valid = self.form.is_valid()
        if self.form.wants_new_contact:
            valid = self.contact_form.is_valid() and valid
        if self.books_appointment:
            valid = self.appointment_form.is_valid() and valid
        return valid

    def service_kwargs(self, request):
        return {
            "tenant": self.tenant,
            "actor": self.member,
            "data": self.form.service_data(),
            "participants": self.form.cleaned_data["participants"],
            "new_contact": self.contact_form.cleaned_data if self.form.wants_new_contact else None,
            "appointment": self.appointment_form.cleaned_data if self.books_appointment else None,
            "confirm_same_hour": request.POST.get("confirm_same_hour") == "1",
            "confirm_clash": request.POST.get("confirm_clash") == "1",
        }

    def submit(self, request, save):
        """Validate and save; return the note, or None with the page's warnings set."""
        self.warnings = {}
        if not self.all_valid():
            return None
        try:
            return save(**self.service_kwargs(request))
        except services.SameHourWarning as warning:
            self.warnings["same_hour"] = warning.notes
        except ClashWarning as warning:
            self.warnings["clashes"] = warning.clashes
        except ValidationError as error:
            attach_errors(error, self.form, self.appointment_form)
        return None

    def render_form(self, request, status=200):
        context = {
            "form": self.form,
            "contact_form": self.contact_form,
            "appointment_form": self.appointment_form,
            "show_new_contact": self.form.wants_new_contact,
            "show_appointment": self.books_appointment,
            "note": self.note,
            "confirmed_same_hour": request.POST.get("confirm_same_hour") == "1",
            "confirmed_clash": request.POST.get("confirm_clash") == "1",
            **getattr(self, "warnings", {}),
        }
        return render(request, self.template, context, status=status)

    def failed(self, request):
        return self.render_form(request, status=200 if self.warnings else 400)


class NoteCreateView(NoteFormMixin, TenantView):
    permissions = {"GET": "notes.add", "POST": "notes.add"}

    def get(self, request, tenant_slug):
        initial = {}
        firm = request.GET.get("firm", "")
        if firm.isdecimal() and len(firm) < 19:
            initial["firm"] = firm
        self.build(initial=initial)
        return self.render_form(request)

    def post(self, request, tenant_slug):
        self.build(request.POST, request.FILES)
        note = self.submit(request, self.create)
        if note is None:
            return self.failed(request)
        messages.success(request, _("The meeting note is saved."))
        return redirect("agenda:note-detail", self.tenant.slug, note.pk)

    def create(self, **kwargs):
        upload = self.form.cleaned_data.get("attachment")
        if upload:
            kwargs["upload"] = (upload, self.form.attachment_type)
        return services.note_create(**kwargs)


class NoteMixin:
    def load(self, pk, *, change=False):
        self.note = selectors.note_get(tenant=self.tenant, member=self.member, pk=pk)
        if change and not selectors.can_change_note(member=self.member, note=self.note):
            raise PermissionDenied
        return self.note


class NoteEditView(NoteMixin, NoteFormMixin, TenantView):
    permissions = {"GET": "notes.add", "POST": "notes.add"}

    def get(self, request, tenant_slug, pk):
        note = self.load(pk, change=True)
        initial = {
            "firm": note.firm_id,
            "met_at": note.met_at,
            "channel": note.channel_id,
            "subject": note.subject,
            "contact": str(note.contact_id or ""),
            "participants": list(note.participants.values_list("pk", flat=True)),
            "product": note.product,
            "outcome": note.outcome_id,
            "notes": note.notes,
        }
        self.build(initial=initial)
        return self.render_form(request)

    def post(self, request, tenant_slug, pk):
        note = self.load(pk, change=True)
        self.build(request.POST)
        saved = self.submit(request, lambda **kw: services.note_update(note=note, **kw))
        if saved is None:
            return self.failed(request)
        messages.success(request, _("The changes are saved."))
        return redirect("agenda:note-detail", self.tenant.slug, saved.pk)


def render_detail(view, request, pk, attachment_form=None, status=200):
    note = selectors.note_detail(tenant=view.tenant, member=view.member, pk=pk)
    context = {
        "note": note,
        "can_change": selectors.can_change_note(member=view.member, note=note),
        "attachment_form": attachment_form or AttachmentForm(),
    }
    return render(request, "agenda/notes/note_detail.html", context, status=status)


class NoteDetailView(TenantView):
    permissions = {"GET": "notes.view"}

    def get(self, request, tenant_slug, pk):
        return render_detail(self, request, pk)


class NoteDeleteView(NoteMixin, TenantView):
    permissions = {"POST": "notes.add"}

    def post(self, request, tenant_slug, pk):
        note = self.load(pk, change=True)
        services.note_delete(tenant=self.tenant, actor=self.member, note=note)
        messages.success(request, _("The meeting note is deleted."))
        return redirect("agenda:note-list", self.tenant.slug)


class NoteAttachmentAddView(NoteMixin, TenantView):
    permissions = {"POST": "notes.add"}

    def post(self, request, tenant_slug, pk):
        note = self.load(pk, change=True)
        form = AttachmentForm(request.POST, request.FILES)
        if not form.is_valid():
            return render_detail(self, request, pk, attachment_form=form, status=400)
        services.note_attachment_add(
            tenant=self.tenant,
            actor=self.member,
            note=note,
            upload=form.cleaned_data["file"],
            content_type=form.content_type,
        )
        messages.success(request, _("The file is attached."))
        return redirect("agenda:note-detail", self.tenant.slug, note.pk)


class NoteAttachmentDownloadView(TenantView):
    permissions = {"GET": "notes.view"}

    def get(self, request, tenant_slug, pk, attachment_pk):
        attachment = selectors.attachment_get(
            tenant=self.tenant, member=self.member, note_pk=pk, pk=attachment_pk
        )
        return serve(
            attachment.file,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )


class NoteAttachmentRemoveView(TenantView):
    permissions = {"POST": "notes.add"}

    def post(self, request, tenant_slug, pk, attachment_pk):
        attachment = selectors.attachment_get(
            tenant=self.tenant, member=self.member, note_pk=pk, pk=attachment_pk
        )
        if not selectors.can_change_note(member=self.member, note=attachment.note):
            raise PermissionDenied
        services.note_attachment_remove(
            tenant=self.tenant, actor=self.member, attachment=attachment
        )
        messages.success(request, _("The file is removed."))
        return redirect("agenda:note-detail", self.tenant.slug, pk)


class NoteContactOptionsView(TenantView):
    """The "contact met" options of the firm chosen on the note form (an htmx fragment)."""

    permissions = {"GET": "notes.add"}

    def get(self, request, tenant_slug):
        raw = request.GET.get("firm", "")
        firm = None
        if raw.isdecimal() and len(raw) < 19:
            firm = (
                selectors.note_firms(tenant=self.tenant, member=self.member).filter(pk=raw).first()
            )
        contacts = selectors.firm_contact_options(tenant=self.tenant, firm=firm)
        return render(
            request, "agenda/notes/_contact_options.html", {"options": contact_choices(contacts)}
        )
