"""Staff pages of portal access: namespace ``portal-access``, at ``/o/<slug>/portal-access/``."""

from django.urls import path

from portal.views import staff_access as views

app_name = "portal-access"

urlpatterns = [
    path("", views.AccessListView.as_view(), name="list"),
    path("firms/<int:pk>/", views.FirmPortalView.as_view(), name="firm-portal"),
    path("firms/<int:pk>/send/", views.SendAccessView.as_view(), name="send"),
    path("firms/<int:pk>/grant/", views.GrantAccessView.as_view(), name="grant"),
    path("logins/<int:pk>/resend/", views.ResendLinkView.as_view(), name="resend"),
    path("logins/<int:pk>/revoke/", views.RevokeAccessView.as_view(), name="revoke"),
]
