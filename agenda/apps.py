from django.apps import AppConfig


class AgendaConfig(AppConfig):
    name = "agenda"
    verbose_name = "Agenda"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from agenda import lists, permissions, timeline  # noqa: F401
        from agenda.selectors.reminders import due_flag
        from core import badges

        badges.register("due_reminders", due_flag)
        from companies.page import Action, register_action

        register_action(
            Action(
                "agenda:activity-create",
                _("Add activity"),
                "bi-calendar-plus",
                "agenda.add",
                "firm-add-activity",
                order=10,
            )
        )
        register_action(
            Action(
                "agenda:note-create",
                _("Add meeting note"),
                "bi-journal-plus",
                "notes.add",
                "firm-add-note",
                order=20,
            )
        )
