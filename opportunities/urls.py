"""URLs of opportunities under /o/<tenant-slug>/opportunities/."""

from django.urls import path

from opportunities import views

app_name = "opportunities"

urlpatterns = [
    path("", views.OpportunityListView.as_view(), name="list"),
    path("board/", views.BoardView.as_view(), name="board"),
    path("forecast/", views.ForecastView.as_view(), name="forecast"),
    path("new/", views.CreateView.as_view(), name="create"),
    path("<int:pk>/", views.DetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.EditView.as_view(), name="edit"),
    path("<int:pk>/move/", views.MoveView.as_view(), name="move"),
    path("<int:pk>/offers/", views.LinkOfferView.as_view(), name="link-offer"),
    path("firm/<int:pk>/", views.FirmOpportunitiesView.as_view(), name="firm-opportunities"),
]
