from django.urls import include, path

from agenda.views.personal import CalendarFeedView
from core.admin import site as admin_site

urlpatterns = [
    path("admin/", admin_site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    # The private ICS feed: outside /o/ because calendar applications cannot log in.
    path("calendar/<str:token>.ics", CalendarFeedView.as_view(), name="ics-feed"),
    path("d/", include("documents.urls_public")),  # signed document links: no login either
    path("o/<slug:tenant_slug>/", include("companies.urls")),
    path("o/<slug:tenant_slug>/agenda/", include("agenda.urls")),
    path("o/<slug:tenant_slug>/documents/", include("documents.urls")),
    path("o/<slug:tenant_slug>/products/", include("catalogue.urls")),
    path("o/<slug:tenant_slug>/sales/", include("sales.urls")),
    path("o/<slug:tenant_slug>/opportunities/", include("opportunities.urls")),
    # The customer portal: its own sessions and layout (portal.middleware).
    path("o/<slug:tenant_slug>/portal/", include("portal.urls")),
    # Staff pages of the portal: logins, proposed changes, order request forms and requests.
    path("o/<slug:tenant_slug>/portal-access/", include("portal.urls_staff_access")),
    path("o/<slug:tenant_slug>/portal-changes/", include("portal.urls_staff_changes")),
    path("o/<slug:tenant_slug>/order-requests/", include("portal.urls_staff_requests")),
]

handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
