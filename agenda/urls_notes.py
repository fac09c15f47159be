"""URLs: notes."""

urlpatterns = []
