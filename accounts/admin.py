from django.contrib import admin

from accounts.models import Employee, PermissionProfile, Tenant, User
from core.admin import site


@admin.register(Tenant, site=site)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_active", "created_at"]
    search_fields = ["name", "slug"]


@admin.register(User, site=site)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff", "last_login"]
    search_fields = ["email", "first_name", "last_name"]
    exclude = ["password", "user_permissions", "groups"]
    readonly_fields = ["last_login", "date_joined"]


@admin.register(Employee, site=site)
class EmployeeAdmin(admin.ModelAdmin):
    list_display = ["__str__", "tenant", "position", "status"]
    list_filter = ["status", "position"]
    search_fields = ["first_name", "last_name", "user__email"]
    raw_id_fields = ["user", "reports_to", "department", "profile", "created_by"]


@admin.register(PermissionProfile, site=site)
class PermissionProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "tenant", "default_for"]
