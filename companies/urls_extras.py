"""URLs: customer lists, and the firm's references, samples, lists and comments tabs
(see companies/urls.py)."""

from django.urls import path

from companies.views import comments, lists, references

urlpatterns = [
    path("lists/", lists.CustomerListListView.as_view(), name="customerlist-list"),
    path("lists/new/", lists.CustomerListCreateView.as_view(), name="customerlist-create"),
    path("lists/<int:pk>/", lists.CustomerListDetailView.as_view(), name="customerlist-detail"),
    path("lists/<int:pk>/edit/", lists.CustomerListEditView.as_view(), name="customerlist-edit"),
    path(
        "lists/<int:pk>/delete/", lists.CustomerListDeleteView.as_view(), name="customerlist-delete"
    ),
    path("lists/<int:pk>/add/", lists.CustomerListAddView.as_view(), name="customerlist-add"),
    path(
        "lists/<int:pk>/entries/<int:entry_pk>/remove/",
        lists.EntryRemoveView.as_view(),
        name="customerlist-entry-remove",
    ),
    path(
        "lists/<int:pk>/entries/<int:entry_pk>/edit/",
        lists.EntryEditView.as_view(),
        name="customerlist-entry-edit",
    ),
    path("firms/<int:pk>/lists/", lists.FirmListsView.as_view(), name="firm-lists"),
    path(
        "firms/<int:pk>/references/",
        references.FirmReferencesView.as_view(),
        name="firm-references",
    ),
    path(
        "firms/<int:pk>/references/new/",
        references.ReferenceCreateView.as_view(),
        name="reference-create",
    ),
    path(
        "firms/<int:pk>/references/<int:ref_pk>/delete/",
        references.ReferenceDeleteView.as_view(),
        name="reference-delete",
    ),
    path("firms/<int:pk>/samples/", references.FirmSamplesView.as_view(), name="firm-samples"),
    path(
        "firms/<int:pk>/samples/new/", references.SampleCreateView.as_view(), name="sample-create"
    ),
    path(
        "firms/<int:pk>/samples/<int:sample_pk>/edit/",
        references.SampleEditView.as_view(),
        name="sample-edit",
    ),
    path("firms/<int:pk>/comments/", comments.FirmCommentsView.as_view(), name="firm-comments"),
    path(
        "firms/<int:pk>/comments/new/", comments.CommentCreateView.as_view(), name="comment-create"
    ),
]
