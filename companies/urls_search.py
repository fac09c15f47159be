"""URLs: search (see companies/urls.py)."""

urlpatterns = []
