"""URLs: io (see companies/urls.py)."""

urlpatterns = []
