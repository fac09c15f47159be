"""The Django admin for site operators: it works across tenants on purpose.

Tenant models raise outside a scope, so the admin site runs each view, including its template
rendering, with scopes disabled. Only site staff (``is_staff``) reach it.
"""

from functools import wraps

from django.contrib import admin
from django_scopes import scopes_disabled

from core.models import AuditEntry, Choice, OutboxEmail


class OperatorAdminSite(admin.AdminSite):
    site_header = "Kervan CRM operations"
    site_title = "Kervan CRM operations"

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def unscoped(request, *args, **kwargs):
            with scopes_disabled():
                response = inner(request, *args, **kwargs)
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
                return response

        return unscoped


site = OperatorAdminSite(name="admin")


@admin.register(OutboxEmail, site=site)
class OutboxEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "subject", "status", "attempts", "tenant"]
    list_filter = ["status"]
    search_fields = ["subject", "idempotency_key"]
    readonly_fields = [f.name for f in OutboxEmail._meta.fields]


@admin.register(AuditEntry, site=site)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "tenant", "subject_type", "subject_id", "action", "actor"]
    list_filter = ["action", "subject_type"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]


@admin.register(Choice, site=site)
class ChoiceAdmin(admin.ModelAdmin):
    list_display = ["tenant", "list_key", "code", "label", "order", "is_active"]
    list_filter = ["list_key"]
