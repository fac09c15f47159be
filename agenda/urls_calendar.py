"""URLs: calendar."""

urlpatterns = []
