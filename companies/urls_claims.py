"""URLs: the pool, claims and their decisions, and the in-application notifications."""

from django.urls import path

from companies.views import claims

urlpatterns = [
    path("firms/pool/", claims.PoolView.as_view(), name="pool"),
    path("firms/<int:pk>/claim/", claims.ClaimCreateView.as_view(), name="claim-create"),
    path("claims/", claims.ClaimListView.as_view(), name="claim-list"),
    path("claims/<int:pk>/decide/", claims.ClaimDecideView.as_view(), name="claim-decide"),
    path("notifications/", claims.NotificationListView.as_view(), name="notifications"),
    path(
        "notifications/bell/",
        claims.NotificationBellView.as_view(),
        name="notification-bell",
    ),
    path(
        "notifications/<int:pk>/read/",
        claims.NotificationReadView.as_view(),
        name="notification-read",
    ),
    path(
        "notifications/read-all/",
        claims.NotificationReadAllView.as_view(),
        name="notification-read-all",
    ),
]
