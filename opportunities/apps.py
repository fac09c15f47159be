from django.apps import AppConfig


class OpportunitiesConfig(AppConfig):
    name = "opportunities"
    verbose_name = "Opportunities"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from companies.page import Tab, register_tab
        from opportunities import lists, permissions, timeline  # noqa: F401

        register_tab(
            Tab("opportunities:firm-opportunities", _("Opportunities"), "opportunities.view", 35)
        )
