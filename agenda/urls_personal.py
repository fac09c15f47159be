"""URLs: personal."""

urlpatterns = []
