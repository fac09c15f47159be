"""URLs: activities."""

urlpatterns = []
