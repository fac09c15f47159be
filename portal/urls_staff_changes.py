"""Staff pages of the customer portal: the changes of contact details firms proposed."""

from django.urls import path

from portal.views import staff_changes as views

app_name = "portal-changes"

urlpatterns = [
    path("", views.ChangeListView.as_view(), name="list"),
    path("firms/<int:pk>/", views.FirmChangesView.as_view(), name="firm-changes"),
    path("<int:pk>/", views.ChangeDetailView.as_view(), name="detail"),
    path("<int:pk>/accept/", views.ChangeAcceptView.as_view(), name="accept"),
    path("<int:pk>/decline/", views.ChangeDeclineView.as_view(), name="decline"),
]
