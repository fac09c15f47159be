"""URLs of the document library (templates, versions, previews) and of the contact card."""

from django.urls import path

from documents.views import library as views

urlpatterns = [
    path("templates/", views.TemplateListView.as_view(), name="template-list"),
    path("templates/new/", views.TemplateCreateView.as_view(), name="template-create"),
    path("templates/<int:pk>/", views.TemplateDetailView.as_view(), name="template-detail"),
    path("templates/<int:pk>/edit/", views.TemplateEditView.as_view(), name="template-edit"),
    path(
        "templates/<int:pk>/versions/new/",
        views.VersionAddView.as_view(),
        name="template-version-add",
    ),
    path(
        "templates/<int:pk>/versions/<int:version_pk>/download/",
        views.VersionDownloadView.as_view(),
        name="version-download",
    ),
    path(
        "templates/<int:pk>/preview/", views.TemplatePreviewView.as_view(), name="template-preview"
    ),
    path(
        "templates/<int:pk>/preview/html/",
        views.TemplatePreviewHtmlView.as_view(),
        name="template-preview-html",
    ),
    path(
        "templates/<int:pk>/preview/pdf/",
        views.TemplatePreviewPdfView.as_view(),
        name="template-preview-pdf",
    ),
    path(
        "templates/<int:pk>/deactivate/",
        views.TemplateSetActiveView.as_view(active=False),
        name="template-deactivate",
    ),
    path(
        "templates/<int:pk>/activate/",
        views.TemplateSetActiveView.as_view(active=True),
        name="template-activate",
    ),
    path("templates/starters/", views.StartersInstallView.as_view(), name="template-starters"),
    path("contact-card/", views.ContactCardView.as_view(), name="contact-card"),
    path("contact-card/logo/", views.ContactCardLogoView.as_view(), name="contact-card-logo"),
]
