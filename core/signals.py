"""Signal handlers: security logging of logins, and the Site record kept in line with settings."""

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_migrate
from django.dispatch import receiver

logger = logging.getLogger("kervan.security")


def client_ip(request):
    if request is None:
        return "-"
    return request.META.get("REMOTE_ADDR", "-")


@receiver(user_login_failed)
def log_login_failed(sender, credentials, request=None, **kwargs):
    identifier = credentials.get("email") or credentials.get("username") or "-"
    logger.warning("Failed login for %r from %s", str(identifier)[:254], client_ip(request))


@receiver(user_logged_in)
def log_login(sender, request, user, **kwargs):
    logger.info("Login of user %s from %s", user.pk, client_ip(request))


@receiver(post_migrate)
def configure_site(sender, using="default", **kwargs):
    """Keep the Site record (used by allauth in links and subjects) in line with settings."""
    if sender.label != "sites":
        return
    from django.contrib.sites.models import Site

    domain = urlsplit(settings.SITE_URL).netloc or "localhost"
    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": settings.SITE_NAME}
    )


@receiver(post_migrate)
def ensure_list_defaults(sender, using="default", **kwargs):
    """Every tenant gets the default entries of lists that modules added since it signed up."""
    if sender.label != "core":
        return
    from django.apps import apps
    from django_scopes import scopes_disabled

    from core.choices import ensure_defaults

    tenant_model = apps.get_model("accounts", "Tenant")
    with scopes_disabled():
        for tenant in tenant_model.objects.using(using).all():
            ensure_defaults(tenant=tenant, language=tenant.language)
