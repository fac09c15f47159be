"""The portal's own pages, under ``/o/<tenant-slug>/portal/`` (namespace ``portal``)."""

from django.urls import include, path

from portal.views import auth, home

app_name = "portal"

urlpatterns = [
    path("", home.HomeView.as_view(), name="home"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("password/", auth.ForgotPasswordView.as_view(), name="forgot-password"),
    path("access/<str:token>/", auth.SetPasswordView.as_view(), name="set-password"),
    path("language/", auth.LanguageView.as_view(), name="language"),
    path("", include("portal.urls_records")),  # invoices, contracts, documents, appointments
    path("", include("portal.urls_offers")),  # offers and the firm's profile
    path("", include("portal.urls_requests")),  # order requests
]
