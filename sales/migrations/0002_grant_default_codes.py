"""Give existing default profiles the default codes of documents, products, sales and
opportunities."""

from django.db import migrations

from core.migration_ops import grant_to_default_profiles

SHARED = [
    "documents.view", "documents.send", "products.view", "orders.view", "orders.add",
    "offers.view", "offers.add", "invoices.view", "invoices.add", "contracts.view",
    "contracts.add", "opportunities.view", "opportunities.add",
]
CODES = {
    "manager": [*SHARED, "products.manage", "invoices.delete", "opportunities.forecast"],
    "employee": SHARED,
}  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0001_initial"),
        ("documents", "0001_initial"),
        ("catalogue", "0001_initial"),
        ("opportunities", "0001_initial"),
        ("accounts", "0006_tenant_currency"),
    ]

    operations = [grant_to_default_profiles(CODES)]
