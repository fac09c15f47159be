from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "sales"
    verbose_name = "Sales"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        import sales.offer_source  # noqa: F401
        from companies.page import Action, Tab, register_action, register_tab
        from sales import permissions, timeline_invoices, timeline_offers, timeline_orders  # noqa: F401

        for order, (name, label, code) in enumerate(
            [
                ("sales:firm-offers", _("Offers"), "offers.view"),
                ("sales:firm-orders", _("Products sold"), "orders.view"),
                ("sales:firm-services", _("Services"), "orders.view"),
                ("sales:firm-invoices", _("Invoices"), "invoices.view"),
                ("sales:firm-contracts", _("Contracts"), "contracts.view"),
            ]
        ):
            register_tab(Tab(name, label, code, order=40 + order))
        register_action(
            Action("sales:offer-create", _("New offer"), "bi-file-earmark-text", "offers.add",
                   "firm-new-offer", order=40)
        )  # fmt: skip
