"""URLs: claims (see companies/urls.py)."""

urlpatterns = []
