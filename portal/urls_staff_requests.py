"""Staff pages of order requests, under ``/o/<tenant-slug>/order-requests/``: the forms the
company designs and the requests firms sent."""

from django.urls import path

from portal.views import staff_requests as views

app_name = "order-requests"

urlpatterns = [
    path("", views.RequestListView.as_view(), name="list"),
    path("<int:pk>/", views.RequestDetailView.as_view(), name="detail"),
    path("forms/", views.FormListView.as_view(), name="form-list"),
    path("forms/new/", views.FormCreateView.as_view(), name="form-create"),
    path("forms/<int:pk>/", views.FormEditView.as_view(), name="form-edit"),
    path("forms/<int:pk>/active/", views.FormToggleView.as_view(), name="form-toggle"),
    path("firms/<int:pk>/", views.FirmRequestsView.as_view(), name="firm-requests"),
]
