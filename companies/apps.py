from django.apps import AppConfig


class CompaniesConfig(AppConfig):
    name = "companies"
    verbose_name = "Firms and contacts"

    def ready(self):
        from companies import lists, page  # noqa: F401

        page._register_own()
