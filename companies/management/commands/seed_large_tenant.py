"""Seed a large tenant for the benchmarks: 100,000 firms and 300,000 contacts by default.

    ./manage.py seed_large_tenant                       # slug "bench", 100k firms, 300k contacts
    ./manage.py seed_large_tenant --firms 2000 --contacts 6000 --slug bench-small

Rows go in with PostgreSQL COPY in batches (ids reserved from the tables' sequences first, so
that parents, paths and links are known before a row is written). A dealer tree (distributors,
main dealers, dealers, customers), firm codes, phones, e-mails, addresses in Turkish cities,
tags, representatives and a primary contact per firm; names with Turkish letters so that the
quick search has real folding work to do. Deterministic for a given --random-seed.
"""

import random
import time
from itertools import islice

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django_scopes import scope

from accounts import services as account_services
from accounts.models import Employee, Position, Tenant, User
from companies.models import Address, Contact, Email, Firm, FirmContact, Phone, Tag
from core.models import Choice, Sequence


def words(text):
    return tuple(text.split())


FIRM_WORDS = words(
    "Anadolu Marmara Ege Karadeniz Akdeniz Çağrı Yıldız Güneş Doğan Özlem Şimşek Işık Başak "
    "Gökçe Öztürk Ağaoğlu Çelik Kılıç Aydın Erdoğan Koç Şahin Yücel Güven Ilgaz Ünal Özkan "
    "Bereket Umut Kardeşler Deniz Toros Kaya Uğur Fırat Dicle Bozkurt Altın İnci Nur Ekin"
)
SECTORS = words(
    "Dağıtım Gıda Tekstil İnşaat Makina Lojistik Otomotiv Kimya Yapı Elektrik Mobilya Tarım "
    "Ambalaj Enerji Medikal Bilişim Turizm Plastik Madencilik Pazarlama Danışmanlık Cam Kağıt"
)
SUFFIXES = ("Ltd. Şti.", "A.Ş.", "Tic. Ltd. Şti.", "San. ve Tic. A.Ş.", "Ticaret", "Holding")
FIRST_NAMES = words(
    "Ayşe Fatma Emine Hatice Zeynep Elif Şule Özlem Gül Çiğdem Ümran İpek Işıl Büşra Merve "
    "Mehmet Mustafa Ahmet Ali Hüseyin Hasan İbrahim İsmail Osman Yusuf Ömer Çağrı Barış Can "
    "Emre Gökhan Şükrü Uğur Oğuz Doğan Ilgın Tuğba Derya Sinan"
)
LAST_NAMES = words(
    "Yılmaz Kaya Demir Şahin Çelik Yıldız Yıldırım Öztürk Aydın Özdemir Arslan Doğan Kılıç "
    "Aslan Çetin Kara Koç Kurt Özkan Şimşek Polat Özer Güneş Işık Erdem Ünal Bulut Güler Keskin"
)
JOB_TITLES = ("Genel Müdür", "Satın Alma Müdürü", "Muhasebe", "Satış Uzmanı", "Depo Sorumlusu", "")
CITIES = words(
    "İstanbul Ankara İzmir Bursa Antalya Konya Adana Şanlıurfa Gaziantep Kocaeli Mersin "
    "Diyarbakır Hatay Manisa Kayseri Samsun Balıkesir Kahramanmaraş Van Aydın Denizli Sakarya "
    "Tekirdağ Muğla Eskişehir Mardin Malatya Trabzon Erzurum Ordu Afyonkarahisar Çorum Isparta"
)
TAGS = (
    ("VIP", "#dc3545"), ("Fuar 2026", "#0d6efd"), ("İhracat", "#198754"), ("Yeni", "#ffc107"),
    ("Bayi adayı", "#6f42c1"), ("Kampanya", "#fd7e14"), ("Ödeme riski", "#6c757d"),
    ("Sadık müşteri", "#20c997"), ("Numune istedi", "#0dcaf0"), ("Şikâyet", "#d63384"),
)  # fmt: skip
ASCII = str.maketrans("çğıöşüÇĞİÖŞÜâ", "cgiosuCGIOSUa")


class Command(BaseCommand):
    help = "Seed a benchmark tenant with many firms and contacts (COPY in batches)."

    def add_arguments(self, parser):
        parser.add_argument("--slug", default="bench")
        parser.add_argument("--firms", type=int, default=100_000)
        parser.add_argument("--contacts", type=int, default=300_000)
        parser.add_argument("--batch", type=int, default=10_000)
        parser.add_argument("--random-seed", type=int, default=2026)
        parser.add_argument(
            "--password", default="", help="Password of the logins (default: none, unusable)."
        )

    def handle(self, *args, **options):
        if options["firms"] < 1 or options["contacts"] < options["firms"]:
            raise CommandError("Give at least one firm and at least one contact per firm.")
        if Tenant.objects.filter(slug=options["slug"]).exists():
            raise CommandError(f"A tenant with the slug {options['slug']!r} exists already.")
        self.rng = random.Random(options["random_seed"])  # noqa: S311 (test data, not secrets)
        self.batch = options["batch"]
        self.now = timezone.now()
        started = time.monotonic()
        tenant = self.create_tenant(options["slug"], options["password"])
        with scope(tenant=tenant.pk):
            firm_ids = self.seed_firms(tenant, options["firms"])
            self.seed_contacts(tenant, firm_ids, options["contacts"])
            self.seed_tags(tenant, firm_ids)
            analyze()  # fresh statistics, or the next update and the first pages plan badly
            self.link_primary_contacts(tenant)
            Sequence.objects.update_or_create(
                tenant=tenant, name="firm-code", defaults={"value": len(firm_ids)}
            )
        analyze()
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Tenant “{tenant.name}” at /o/{tenant.slug}/: {len(firm_ids):,} firms, "
                f"{options['contacts']:,} contacts in {elapsed:.0f} s. "
                f"Executive login: exec@{tenant.slug}.bench.test"
            )
        )

    # People --------------------------------------------------------------------------------

    @transaction.atomic
    def create_tenant(self, slug, password):
        tenant = account_services.tenant_create(name=f"Benchmark {slug}")
        Tenant.objects.filter(pk=tenant.pk).update(slug=slug)
        tenant.refresh_from_db()
        with scope(tenant=tenant.pk):
            management = Choice.objects.get(tenant=tenant, list_key="department", code="management")
            sales = Choice.objects.get(tenant=tenant, list_key="department", code="sales")
            executive = self.person(tenant, "exec", Position.EXECUTIVE, management, None, password)
            self.reps = []
            for m in range(2):
                manager = self.person(
                    tenant, f"manager{m}", Position.MANAGER, sales, executive, password
                )
                self.reps.append(manager.pk)
                for e in range(5):
                    employee = self.person(
                        tenant, f"employee{m}{e}", Position.EMPLOYEE, sales, manager, password
                    )
                    self.reps.append(employee.pk)
        return tenant

    def person(self, tenant, key, position, department, reports_to, password):
        email = f"{key}@{tenant.slug}.bench.test"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email, password=password or None, first_name=key.title(), last_name="Bench"
            )
            user.emailaddress_set.create(email=email, primary=True, verified=True)
        return Employee.objects.create(
            tenant=tenant,
            user=user,
            first_name=key.title(),
            last_name="Bench",
            position=position,
            department=department,
            reports_to=reports_to,
            profile=account_services.default_profile(tenant=tenant, position=position),
        )

    # Firms ---------------------------------------------------------------------------------

    def seed_firms(self, tenant, n):
        """The dealer tree level by level: ids are reserved first, so paths are known."""
        levels = [
            ("distributor", max(1, n // 5000)),
            ("main_dealer", n // 500),
            ("dealer", n // 100),
        ]
        levels.append(("customer", n - sum(count for _, count in levels)))
        ids = reserve_ids(Firm, n)
        paths, by_type, rows, position = {}, {}, [], 0
        for firm_type, count in levels:
            for _ in range(count):
                pk = ids[position]
                position += 1
                parent = self.parent_for(firm_type, by_type)
                paths[pk] = f"{paths[parent]}{parent}/" if parent else "/"
                by_type.setdefault(firm_type, []).append(pk)
                rows.append(self.firm_row(tenant, pk, position, firm_type, parent, paths[pk]))
        self.copy(Firm, rows)
        self.seed_firm_channels(tenant, ids)
        self.stdout.write(f"  {n:,} firms")
        return ids

    def parent_for(self, firm_type, by_type):
        rng = self.rng
        options = {
            "distributor": [],
            "main_dealer": ["distributor"],
            "dealer": ["main_dealer"] * 4 + ["distributor"],
            "customer": ["dealer"] * 14 + ["main_dealer"] * 3 + ["distributor"] * 2 + [None],
        }[firm_type]
        level = rng.choice(options) if options else None
        return rng.choice(by_type[level]) if level and by_type.get(level) else None

    def firm_row(self, tenant, pk, number, firm_type, parent, path):
        rng = self.rng
        name = f"{rng.choice(FIRM_WORDS)} {rng.choice(SECTORS)} {rng.choice(SUFFIXES)}"
        return {
            "id": pk,
            "tenant_id": tenant.pk,
            "code": f"F{number:06d}",
            "name": name,
            "type": firm_type,
            "roles": ["customer"] if rng.random() < 0.8 else ["customer", "partner"],
            "parent_id": parent,
            "path": path,
            "status": rng.choice(("first_contact", "in_talks", "potential_customer")),
            "priority": rng.choice(("low", "normal", "normal", "high")),
            "sales_rep_id": rng.choice(self.reps) if rng.random() < 0.7 else None,
            "is_active": rng.random() < 0.95,
            "created_at": self.now,
            "updated_at": self.now,
        }

    def seed_firm_channels(self, tenant, firm_ids):
        rng = self.rng
        phones, emails, addresses = [], [], []
        for pk in firm_ids:
            phones.append(self.phone_row(tenant, "firm_id", pk, rng.choice(("212", "312", "232"))))
            if rng.random() < 0.3:
                phones.append(self.phone_row(tenant, "firm_id", pk, "850"))
            if rng.random() < 0.5:
                emails.append(self.channel(tenant, "firm_id", pk, address=f"info{pk}@firma.test"))
            city = rng.choice(CITIES)
            addresses.append(
                self.channel(
                    tenant, "firm_id", pk, city=city, province=city,
                    street=f"{rng.choice(FIRM_WORDS)} Cad. No: {rng.randint(1, 200)}",
                )
            )  # fmt: skip
        self.copy(Phone, phones)
        self.copy(Email, emails)
        self.copy(Address, addresses)

    # Contacts ------------------------------------------------------------------------------

    def seed_contacts(self, tenant, firm_ids, n):
        """One contact per firm first (its primary contact), the rest spread at random."""
        rng = self.rng
        ids = reserve_ids(Contact, n)
        contacts, links, phones, emails = [], [], [], []
        for i, pk in enumerate(ids):
            firm = firm_ids[i] if i < len(firm_ids) else rng.choice(firm_ids)
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            contacts.append(
                {
                    "id": pk, "tenant_id": tenant.pk, "first_name": first, "last_name": last,
                    "job_title": rng.choice(JOB_TITLES), "created_at": self.now,
                    "updated_at": self.now, "is_active": True,
                }
            )  # fmt: skip
            links.append({"tenant_id": tenant.pk, "firm_id": firm, "contact_id": pk})
            if rng.random() < 0.7:
                phones.append(self.phone_row(tenant, "contact_id", pk, f"5{rng.randint(30, 59)}"))
            if rng.random() < 0.7:
                local = f"{first}.{last}".translate(ASCII).lower()
                emails.append(
                    self.channel(tenant, "contact_id", pk, address=f"{local}{pk}@ornek.test")
                )
        self.copy(Contact, contacts)
        self.copy(FirmContact, links)
        self.copy(Phone, phones)
        self.copy(Email, emails)
        self.stdout.write(f"  {n:,} contacts")

    def link_primary_contacts(self, tenant):
        with connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE companies_firm f SET primary_contact_id = first.contact_id
                  FROM (SELECT firm_id, min(contact_id) AS contact_id
                          FROM companies_firmcontact WHERE tenant_id = %s GROUP BY firm_id) first
                 WHERE f.id = first.firm_id AND f.tenant_id = %s
                """,
                [tenant.pk, tenant.pk],
            )

    def seed_tags(self, tenant, firm_ids):
        tags = Tag.objects.bulk_create(
            Tag(tenant=tenant, name=name, colour=colour) for name, colour in TAGS
        )
        through = Firm.tags.through
        rows = []
        for pk in firm_ids:
            if self.rng.random() < 0.3:
                for tag in self.rng.sample(tags, self.rng.randint(1, 3)):
                    rows.append({"firm_id": pk, "tag_id": tag.pk})
        self.copy(through, rows)

    # Rows ----------------------------------------------------------------------------------

    def channel(self, tenant, owner, pk, **values):
        return {"tenant_id": tenant.pk, owner: pk, "created_at": self.now,
                "updated_at": self.now, **values}  # fmt: skip

    def phone_row(self, tenant, owner, pk, area):
        number = (
            f"{self.rng.randint(200, 999)} {self.rng.randint(10, 99)} {self.rng.randint(10, 99)}"
        )
        digits = "90" + area + number.replace(" ", "")
        return self.channel(
            tenant, owner, pk, country_code="90", area_code=area, number=number, digits=digits
        )

    def copy(self, model, rows):
        """COPY ``rows`` (dicts by attname) into ``model``'s table, ``self.batch`` at a time.

        Columns a row leaves out take the field's default (prepared once), so fields added to
        the models later need nothing here unless they are required and have no default.
        """
        fields = [
            f for f in model._meta.concrete_fields if not (f.primary_key and "id" not in rows[0])
        ] if rows else []  # fmt: skip
        defaults = {
            f.attname: self.now
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            else f.get_db_prep_save(f.get_default(), connection)
            for f in fields
        }
        missing = [f.attname for f in fields if defaults[f.attname] is None and not f.null]
        missing = [name for name in missing if name not in rows[0]]
        if missing:
            raise CommandError(f"{model.__name__}: no value for {', '.join(missing)}")
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        sql = f"COPY {model._meta.db_table} ({columns}) FROM STDIN"
        names = [f.attname for f in fields]
        iterator = iter(rows)
        while chunk := list(islice(iterator, self.batch)):
            with transaction.atomic(), connection.cursor() as cursor, cursor.copy(sql) as copy:
                for row in chunk:
                    copy.write_row([row.get(name, defaults[name]) for name in names])


def analyze(*tables):
    """Statistics and the visibility map of ``tables`` (by default the ones this command
    fills), as autovacuum leaves them on a live database.

    VACUUM cannot run inside a transaction (a test's): there ANALYZE alone.
    """
    models = (Firm, Firm.tags.through, Contact, FirmContact, Phone, Email, Address)
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
    with connection.cursor() as cursor:
        for table in tables or [model._meta.db_table for model in models]:
            cursor.execute(f"{command} {table}")


def reserve_ids(model, n):
    """``n`` ids from the table's identity sequence, in increasing order."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, n],
        )
        return sorted(row[0] for row in cursor.fetchall())
