"""URLs of sales records under /o/<tenant-slug>/sales/: each area keeps its own list."""

from sales.urls_invoices import urlpatterns as invoice_urls
from sales.urls_offers import urlpatterns as offer_urls
from sales.urls_orders import urlpatterns as order_urls

app_name = "sales"

urlpatterns = [*order_urls, *invoice_urls, *offer_urls]
