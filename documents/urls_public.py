"""The public signed download link of dispatched files (outside /o/: no login, see
documents/links.py), included from crm/urls.py without a namespace."""

from django.urls import path

from documents.views.dispatch import DocumentLinkView

urlpatterns = [
    path("<str:token>/", DocumentLinkView.as_view(), name="document-link"),
]
