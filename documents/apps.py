from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "Documents"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from companies.page import Action, Tab, register_action, register_tab
        from documents import permissions, timeline  # noqa: F401

        register_tab(Tab("documents:firm-dispatches", _("Documents sent"), "documents.view", 60))
        register_action(
            Action("documents:dispatch-create", _("Send documents"), "bi-send", "documents.send",
                   "firm-send-documents", order=30)
        )  # fmt: skip
