from django.urls import include, path

from accounts.views import administration, documents, employees, home, picker, public

app_name = "accounts"

employee_urls = [
    path("", employees.EmployeeListView.as_view(), name="employee-list"),
    path("new/", employees.EmployeeCreateView.as_view(), name="employee-create"),
    path("export/", employees.EmployeeExportView.as_view(), name="employee-export"),
    path("picker/", picker.EmployeePickerView.as_view(), name="employee-picker"),
    path("new/options/", employees.EmployeeOptionsView.as_view(), name="employee-options"),
    path("<int:pk>/", employees.EmployeeDetailView.as_view(), name="employee-detail"),
    path("<int:pk>/edit/", employees.EmployeeEditView.as_view(), name="employee-edit"),
    path(
        "<int:pk>/edit/options/",
        employees.EmployeeOptionsView.as_view(),
        name="employee-edit-options",
    ),
    path("<int:pk>/status/", employees.EmployeeStatusView.as_view(), name="employee-status"),
    path("<int:pk>/invite/", employees.EmployeeInviteView.as_view(), name="employee-invite"),
    path("<int:pk>/notes/", employees.EmployeeNoteView.as_view(), name="employee-note"),
    path("<int:pk>/history/", employees.EmployeeHistoryView.as_view(), name="employee-history"),
    path("<int:pk>/documents/", documents.DocumentListView.as_view(), name="employee-documents"),
    path(
        "<int:pk>/documents/upload/",
        documents.DocumentUploadView.as_view(),
        name="document-upload",
    ),
    path(
        "<int:pk>/documents/<int:document_pk>/download/",
        documents.DocumentDownloadView.as_view(),
        name="document-download",
    ),
    path(
        "<int:pk>/documents/<int:document_pk>/replace/",
        documents.DocumentReplaceView.as_view(),
        name="document-replace",
    ),
    path(
        "<int:pk>/documents/<int:document_pk>/remove/",
        documents.DocumentRemoveView.as_view(),
        name="document-remove",
    ),
]

tenant_urls = [
    path("", home.HomeView.as_view(), name="home"),
    path("employees/", include(employee_urls)),
    path("profiles/", administration.ProfileListView.as_view(), name="profile-list"),
    path("profiles/new/", administration.ProfileFormView.as_view(), name="profile-create"),
    path("profiles/<int:pk>/", administration.ProfileFormView.as_view(), name="profile-edit"),
    path(
        "profiles/<int:pk>/delete/",
        administration.ProfileDeleteView.as_view(),
        name="profile-delete",
    ),
    path("settings/", administration.SettingsIndexView.as_view(), name="settings"),
    path("settings/e-mail/", administration.OutboxListView.as_view(), name="outbox"),
    path(
        "settings/company/",
        administration.CompanySettingsView.as_view(),
        name="company-settings",
    ),
    path(
        "settings/lists/<slug:list_key>/",
        administration.ChoiceListView.as_view(),
        name="settings-list",
    ),
    path(
        "settings/lists/<slug:list_key>/new/",
        administration.ChoiceSaveView.as_view(),
        name="choice-create",
    ),
    path(
        "settings/lists/<slug:list_key>/quick-add/",
        administration.ChoiceQuickAddView.as_view(),
        name="choice-quick-add",
    ),
    path(
        "settings/lists/<slug:list_key>/<int:pk>/",
        administration.ChoiceSaveView.as_view(),
        name="choice-edit",
    ),
]

urlpatterns = [
    path("", public.LandingView.as_view(), name="landing"),
    path("tenants/", public.TenantPickerView.as_view(), name="tenant-picker"),
    path("me/", public.PreferencesView.as_view(), name="preferences"),
    path("language/", public.LanguageView.as_view(), name="language"),
    path(
        "invitation/<str:uidb64>/<str:token>/",
        public.InvitationView.as_view(),
        name="invitation",
    ),
    path("o/<slug:tenant_slug>/", include(tenant_urls)),
]
