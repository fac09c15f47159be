"""URLs of the document library and of dispatches, under /o/<tenant-slug>/documents/."""

from documents.urls_dispatch import urlpatterns as dispatch_urls
from documents.urls_library import urlpatterns as library_urls

app_name = "documents"

urlpatterns = [*library_urls, *dispatch_urls]
