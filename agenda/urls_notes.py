"""URLs of meeting notes under /o/<tenant-slug>/agenda/notes/."""

from django.urls import path

from agenda.views import notes

urlpatterns = [
    path("notes/", notes.NoteListView.as_view(), name="note-list"),
    path("notes/new/", notes.NoteCreateView.as_view(), name="note-create"),
    path(
        "notes/contact-options/",
        notes.NoteContactOptionsView.as_view(),
        name="note-contact-options",
    ),
    path("notes/<int:pk>/", notes.NoteDetailView.as_view(), name="note-detail"),
    path("notes/<int:pk>/edit/", notes.NoteEditView.as_view(), name="note-edit"),
    path("notes/<int:pk>/delete/", notes.NoteDeleteView.as_view(), name="note-delete"),
    path(
        "notes/<int:pk>/files/",
        notes.NoteAttachmentAddView.as_view(),
        name="note-attachment-add",
    ),
    path(
        "notes/<int:pk>/files/<int:attachment_pk>/",
        notes.NoteAttachmentDownloadView.as_view(),
        name="note-attachment",
    ),
    path(
        "notes/<int:pk>/files/<int:attachment_pk>/remove/",
        notes.NoteAttachmentRemoveView.as_view(),
        name="note-attachment-remove",
    ),
]
