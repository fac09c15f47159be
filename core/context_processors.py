from django.conf import settings


def tenancy(request):
    """The tenant and membership of the request, for navigation and layout."""
    return {
        "tenant": getattr(request, "tenant", None),
        "member": getattr(request, "member", None),
        "SITE_NAME": settings.SITE_NAME,
        "SIGNUP_ENABLED": settings.SIGNUP_ENABLED,
    }
