"""URLs of dispatches under /o/<tenant-slug>/documents/ (the public link is in crm/urls.py)."""

from django.urls import path

from documents.views import dispatch

urlpatterns = [
    path("dispatches/new/", dispatch.DispatchCreateView.as_view(), name="dispatch-create"),
    path(
        "dispatches/kind-fields/",
        dispatch.DispatchKindFieldsView.as_view(),
        name="dispatch-kind-fields",
    ),
    path("dispatches/<int:pk>/", dispatch.DispatchDetailView.as_view(), name="dispatch-detail"),
    path(
        "dispatches/<int:pk>/files/<int:item_pk>/",
        dispatch.DispatchItemDownloadView.as_view(),
        name="dispatch-item",
    ),
    path("dispatches/<int:pk>/retry/", dispatch.DispatchRetryView.as_view(), name="dispatch-retry"),
    path(
        "firms/<int:pk>/dispatches/",
        dispatch.FirmDispatchesView.as_view(),
        name="firm-dispatches",
    ),
]
