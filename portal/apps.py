from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Customer portal"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from companies.page import Tab, register_tab
        from portal import permissions, signals, timeline  # noqa: F401

        register_tab(Tab("portal-access:firm-portal", _("Portal"), "portal.view", 70))
        register_tab(Tab("order-requests:firm-requests", _("Order requests"), "portal.view", 71))
        register_tab(Tab("portal-changes:firm-changes", _("Proposed changes"), "portal.view", 72))
