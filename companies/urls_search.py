"""URLs: search (see companies/urls.py)."""

from django.urls import path

from companies.views.search import FirmPickerView, PhonebookView, SearchView

urlpatterns = [
    path("search/", SearchView.as_view(), name="search"),
    path("phonebook/", PhonebookView.as_view(), name="phonebook"),
    path("firms/picker/", FirmPickerView.as_view(), name="firm-picker"),
]
