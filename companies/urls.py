"""URLs of firms and contacts under /o/<tenant-slug>/.

Each area keeps its own list (claims, lists and references, import and export, search) so
that it can grow without touching the others.
"""

from companies.urls_claims import urlpatterns as claim_urls
from companies.urls_extras import urlpatterns as extra_urls
from companies.urls_firms import urlpatterns as firm_urls
from companies.urls_io import urlpatterns as io_urls
from companies.urls_search import urlpatterns as search_urls

app_name = "companies"

urlpatterns = [*firm_urls, *claim_urls, *extra_urls, *io_urls, *search_urls]
