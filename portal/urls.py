from django.urls import path

from portal.views import auth, home

app_name = "portal"

urlpatterns = [
    path("", home.HomeView.as_view(), name="home"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("password/", auth.ForgotPasswordView.as_view(), name="forgot-password"),
    path("access/<str:token>/", auth.SetPasswordView.as_view(), name="set-password"),
    path("language/", auth.LanguageView.as_view(), name="language"),
]
