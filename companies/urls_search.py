"""URLs: search (see companies/urls.py)."""

from django.urls import path

from companies.views.search import PhonebookView, SearchView

urlpatterns = [
    path("search/", SearchView.as_view(), name="search"),
    path("phonebook/", PhonebookView.as_view(), name="phonebook"),
]
