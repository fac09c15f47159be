"""Staff pages of order requests: designing the forms (``portal.forms``) and reading the
requests firms sent (``portal.view``, for the firms the member may read)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from companies.views.references import ExtraTabMixin
from core.views import TenantView, paginate
from portal import selectors_requests as selectors
from portal.forms_requests import RequestFormHeadForm, field_formset
from portal.services import request_forms as services
from portal.services.requests import answer_text

FORMS = "portal.forms"
VIEW = "portal.view"


class FormListView(TenantView):
    permissions = {"GET": FORMS}

    def get(self, request, tenant_slug):
        forms = list(selectors.request_forms(tenant=self.tenant))
        return render(request, "portal/staff/requests_form_list.html", {"forms": forms})


class FormEditorMixin:
    """The designer page: the form's name and introduction, and its fields as a formset."""

    request_form = None

    def show(self, head, fieldset, status=200):
        context = {
            "head": head,
            "fieldset": fieldset,
            "request_form": self.request_form,
            "limits": {"fields": services.MAX_FIELDS, "choices": services.MAX_CHOICES},
        }
        return render(self.request, "portal/staff/requests_form_edit.html", context, status=status)

    def save(self, save):
        head = RequestFormHeadForm(self.request.POST)
        fieldset = field_formset(self.request.POST)
        if head.is_valid() and fieldset.is_valid():
            try:
                return save(**head.cleaned_data, fields=fieldset.field_list()), None
            except ValidationError as error:
                self.attach(head, fieldset, error)
        return None, self.show(head, fieldset, status=400)

    @staticmethod
    def attach(head, fieldset, error):
        if not hasattr(error, "error_dict"):
            head.add_error(None, error)
            return
        for key, errors in error.error_dict.items():
            head.add_error(key if key in head.fields else None, errors)


class FormCreateView(FormEditorMixin, TenantView):
    permissions = {"GET": FORMS, "POST": FORMS}

    def get(self, request, tenant_slug):
        return self.show(RequestFormHeadForm(), field_formset())

    def post(self, request, tenant_slug):
        if "starter" in request.POST:
            form = services.request_form_create_starter(tenant=self.tenant, actor=self.member)
            messages.success(request, _("The starter form is ready: change it as you like."))
            return redirect("order-requests:form-edit", tenant_slug, form.pk)
        form, failed = self.save(
            lambda **data: services.request_form_create(
                tenant=self.tenant, actor=self.member, **data
            )
        )
        if failed is not None:
            return failed
        messages.success(request, _("The form %(name)s is saved.") % {"name": form.name})
        return redirect("order-requests:form-list", tenant_slug)


class FormEditView(FormEditorMixin, TenantView):
    permissions = {"GET": FORMS, "POST": FORMS}

    def get(self, request, tenant_slug, pk):
        self.request_form = selectors.request_form_get(tenant=self.tenant, pk=pk)
        head = RequestFormHeadForm(
            initial={"name": self.request_form.name, "description": self.request_form.description}
        )
        return self.show(head, field_formset(fields=self.request_form.fields))

    def post(self, request, tenant_slug, pk):
        self.request_form = selectors.request_form_get(tenant=self.tenant, pk=pk)
        form, failed = self.save(
            lambda **data: services.request_form_update(
                tenant=self.tenant, actor=self.member, form=self.request_form, **data
            )
        )
        if failed is not None:
            return failed
        messages.success(request, _("The form %(name)s is saved.") % {"name": form.name})
        return redirect("order-requests:form-list", tenant_slug)


class FormToggleView(TenantView):
    permissions = {"POST": FORMS}

    def post(self, request, tenant_slug, pk):
        form = selectors.request_form_get(tenant=self.tenant, pk=pk)
        active = request.POST.get("active") == "1"
        services.request_form_set_active(
            tenant=self.tenant, actor=self.member, form=form, active=active
        )
        if active:
            messages.success(request, _("%(name)s is offered in the portal.") % {"name": form.name})
        else:
            messages.success(
                request, _("%(name)s is no longer offered in the portal.") % {"name": form.name}
            )
        return redirect("order-requests:form-list", tenant_slug)


class RequestListView(TenantView):
    permissions = {"GET": VIEW}

    def get(self, request, tenant_slug):
        rows = selectors.visible_requests(tenant=self.tenant, member=self.member)
        page = paginate(request, rows, capped=True)
        return render(request, "portal/staff/requests_list.html", {"page": page})


class RequestDetailView(TenantView):
    permissions = {"GET": VIEW}

    def get(self, request, tenant_slug, pk):
        order_request = selectors.request_get(tenant=self.tenant, member=self.member, pk=pk)
        answers = [(entry, answer_text(entry)) for entry in order_request.answers]
        context = {"order_request": order_request, "answers": answers}
        return render(request, "portal/staff/requests_detail.html", context)


class FirmRequestsView(ExtraTabMixin, TenantView):
    tab = "requests"
    permissions = {"GET": VIEW}

    def get(self, request, tenant_slug, pk):
        firm = self.load_firm(pk)
        page = paginate(request, selectors.firm_requests(tenant=self.tenant, firm=firm))
        return self.render_tab(request, "portal/staff/requests_firm_tab.html", {"page": page})
