"""Demo firms: a small dealer tree with contacts, for the demo tenant."""

from django_scopes import scope

from accounts.models import Employee
from companies.models import Firm
from companies.services.firms import firm_create

# (name, type, parent name, representative e-mail, city, contact first and last name)
ZEYNEP, CAN = "zeynep@demo.kervan.test", "can@demo.kervan.test"
FIRMS = [
    ("Marmara Dağıtım A.Ş.", "distributor", None, ZEYNEP, "İstanbul", ("Ayten", "Kara")),
    (
        "Ege Ana Bayi Ltd.",
        "main_dealer",
        "Marmara Dağıtım A.Ş.",
        ZEYNEP,
        "İzmir",
        ("Mert", "Aslan"),
    ),
    ("Bursa Bayi", "dealer", "Ege Ana Bayi Ltd.", CAN, "Bursa", ("Selim", "Öz")),
    ("Çağrı Yapı Market", "customer", "Bursa Bayi", CAN, "Bursa", ("Çağrı", "Tan")),
    ("Şişli Hırdavat", "customer", "Marmara Dağıtım A.Ş.", None, "İstanbul", ("Gül", "Demir")),
    ("Anadolu İnşaat", "customer", None, None, "Ankara", ("Oğuz", "Bilgin")),
]


def load_demo_firms(tenant):
    with scope(tenant=tenant.pk):
        if Firm.objects.filter(tenant=tenant).exists():
            return
        by_name = {}
        for name, firm_type, parent, rep, city, (first, last) in FIRMS:
            sales_rep = (
                Employee.objects.filter(tenant=tenant, user__email=rep).first() if rep else None
            )
            by_name[name] = firm_create(
                tenant=tenant,
                actor=None,
                data={
                    "name": name,
                    "type": firm_type,
                    "parent": by_name.get(parent),
                    "sales_rep": sales_rep,
                },
                channels={
                    "phones": [{"area_code": "212", "number": "555 10 20"}],
                    "addresses": [{"city": city, "country": "Türkiye"}],
                },
                first_contact={
                    "data": {"first_name": first, "last_name": last, "job_title": "Owner"}
                },
            )
