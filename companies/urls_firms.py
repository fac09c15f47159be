"""URLs: firms and their contacts (see companies/urls.py)."""

from django.urls import path

from companies.views import contacts, firms, taxonomy
from companies.views import settings as firm_settings

urlpatterns = [
    path("settings/tags-and-groups/", taxonomy.TaxonomyView.as_view(), name="taxonomy"),
    path("settings/tags/<int:pk>/", taxonomy.TagEditView.as_view(), name="tag-edit"),
    path("settings/groups/<int:pk>/", taxonomy.GroupEditView.as_view(), name="group-edit"),
    path(
        "settings/custom-fields/",
        firm_settings.CustomFieldListView.as_view(),
        name="customfield-list",
    ),
    path(
        "settings/custom-fields/new/",
        firm_settings.CustomFieldSaveView.as_view(),
        name="customfield-create",
    ),
    path(
        "settings/custom-fields/<int:pk>/",
        firm_settings.CustomFieldSaveView.as_view(),
        name="customfield-edit",
    ),
    path("firms/", firms.FirmListView.as_view(), name="firm-list"),
    path("firms/new/", firms.FirmCreateView.as_view(), name="firm-create"),
    path("firms/bulk/", firms.FirmBulkView.as_view(), name="firm-bulk"),
    path("firms/columns/", firms.FirmColumnsView.as_view(), name="firm-columns"),
    path("firms/bulk/add-to-list/", firms.FirmBulkListView.as_view(), name="firm-bulk-list"),
    path("firms/bulk/tag/", firms.FirmBulkTagView.as_view(), name="firm-bulk-tag"),
    path("firms/<int:pk>/", firms.FirmDetailView.as_view(), name="firm-detail"),
    path("firms/<int:pk>/edit/", firms.FirmEditView.as_view(), name="firm-edit"),
    path("firms/<int:pk>/logo/", firms.FirmLogoView.as_view(), name="firm-logo"),
    path("firms/<int:pk>/contacts/", firms.FirmContactsView.as_view(), name="firm-contacts"),
    path("firms/<int:pk>/timeline/", firms.FirmTimelineView.as_view(), name="firm-timeline"),
    path("firms/<int:pk>/tree/", firms.FirmTreeView.as_view(), name="firm-tree"),
    path("firms/<int:pk>/history/", firms.FirmHistoryView.as_view(), name="firm-history"),
    path(
        "firms/<int:pk>/contacts/new/", contacts.ContactCreateView.as_view(), name="contact-create"
    ),
    path(
        "firms/<int:pk>/contacts/<int:contact_pk>/edit/",
        contacts.ContactEditView.as_view(),
        name="contact-edit",
    ),
]
