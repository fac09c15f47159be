"""The product's URLs plus a bare view that returns prepared bytes (the benchmarks' baseline)."""

from django.http import HttpResponse
from django.urls import path

from crm.urls import urlpatterns as product_urlpatterns

BODY = {"bytes": b""}


def bare(request):
    return HttpResponse(BODY["bytes"])


urlpatterns = [path("bare/", bare), *product_urlpatterns]
