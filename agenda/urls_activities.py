"""URLs of activities under /o/<tenant-slug>/agenda/activities/."""

from django.urls import path

from agenda.views import activities

urlpatterns = [
    path("activities/", activities.ActivityListView.as_view(), name="activity-list"),
    path("activities/new/", activities.ActivityCreateView.as_view(), name="activity-create"),
    path(
        "activities/contacts/",
        activities.ActivityContactsView.as_view(),
        name="activity-contacts",
    ),
    path("activities/<int:pk>/", activities.ActivityDetailView.as_view(), name="activity-detail"),
    path("activities/<int:pk>/edit/", activities.ActivityEditView.as_view(), name="activity-edit"),
    path(
        "activities/<int:pk>/close/", activities.ActivityCloseView.as_view(), name="activity-close"
    ),
    path(
        "activities/<int:pk>/cancel/",
        activities.ActivityCancelView.as_view(),
        name="activity-cancel",
    ),
    path(
        "activities/<int:pk>/files/",
        activities.AttachmentAddView.as_view(),
        name="activity-attachment-add",
    ),
    path(
        "activities/<int:pk>/files/<int:attachment_pk>/",
        activities.AttachmentDownloadView.as_view(),
        name="activity-attachment",
    ),
    path(
        "activities/<int:pk>/files/<int:attachment_pk>/remove/",
        activities.AttachmentRemoveView.as_view(),
        name="activity-attachment-remove",
    ),
]
