"""URLs: firms (see companies/urls.py)."""

urlpatterns = []
