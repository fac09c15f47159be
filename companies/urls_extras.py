"""URLs: extras (see companies/urls.py)."""

urlpatterns = []
