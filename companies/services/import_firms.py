"""The firm writer of imports: firms with their address, channels and first contact.

See ``companies.services.import_writers`` for what every writer does and how duplicates are
found. A new firm follows the rules of ``firm_create``: a code from the tenant's sequence
when the file gives none, the type allowed under its parent, the first contact as primary
contact, a CREATE audit entry. An update changes the fields the row fills in (never the type
or the place in the tree: those change on the firm's page), adds channels the firm does not
have yet, and records one UPDATE entry with every change.
"""

from collections import defaultdict

from django.db.models.functions import Lower, Upper
from django.utils import timezone
from django.utils.translation import gettext as _

from companies.importing import fold, folded
from companies.models import Address, Contact, Email, Firm, FirmContact, Phone, Website
from companies.models.firms import ALLOWED_CHILDREN, FirmType
from companies.selectors.firms import visible_firms
from companies.services.firms import CONTACT_FIELDS, FIRM_FIELDS, snapshot
from companies.services.import_writers import (
    FULL_NAME,
    Writer,
    copy_insert,
    new_contact,
    no_channels,
)
from core import audit
from core.models import AuditEntry, Sequence

FIRM_VALUES = (
    "code", "name", "roles", "tax_number", "trade_registry_number", "brand", "founding_date",
    "employee_count", "sector", "lead_source", "status", "priority", "sales_rep", "notes",
)  # fmt: skip
FIRM_RELATED = (
    "parent", "legal_form", "sector", "lead_source", "ownership_status", "rating", "sales_rep",
    "support_rep", "primary_contact",
)  # fmt: skip
ADDRESS_VALUES = ("city", "province", "country", "street", "postal_code")


class FirmWriter(Writer):
    """Firms, with their address, phone, e-mail, website and first contact."""

    def write_rows(self, rows, result):
        self.created = {}  # code → firm created in this batch (a later row's parent)
        keys = {number: self.keys(values) for number, values in rows}
        existing = self.existing([key for row_keys in keys.values() for key in row_keys])
        parents = self.parents(rows)
        creates, updates = [], []
        for number, values in rows:
            match = self.match(number, keys[number], existing, result)
            if match:
                updates.append((number, values, match))
            elif match is None:
                if self.lacks(number, values, result):
                    continue
                parent = self.parent(number, values, parents, creates, result)
                if parent is False:
                    continue
                creates.append((number, values, parent))
            else:
                continue
            self.seen.update(dict.fromkeys(keys[number], number))
        self.create(creates, result)
        self.change(updates, result)

    @staticmethod
    def keys(values):
        keys = [("code", values["code"].upper())] if "code" in values else []
        if "tax_number" in values:
            keys.append(("tax", values["tax_number"]))
        if "email" in values:
            keys.append(("email", values["email"].lower()))
        if "city" in values:
            keys.append(("name_city", fold(values["name"]), fold(values["city"])))
        return keys

    def existing(self, keys):
        """``{key: (firm id, code)}`` of existing firms, the oldest firm first."""
        wanted = defaultdict(set)
        for key in keys:
            wanted[key[0]].add(key[1:] if key[0] == "name_city" else key[1])
        firms = Firm.objects.filter(tenant=self.tenant).order_by("pk")
        emails = Email.objects.filter(tenant=self.tenant, firm__isnull=False).order_by("firm_id")
        queries = {
            "code": firms.annotate(k=Upper("code"))
            .filter(k__in=wanted["code"])
            .values_list("k", "pk", "code"),
            "tax": firms.filter(tax_number__in=wanted["tax"]).values_list(
                "tax_number", "pk", "code"
            ),
            "email": emails.annotate(k=Lower("address"))
            .filter(k__in=wanted["email"])
            .values_list("k", "firm_id", "firm__code"),
        }
        found = {}
        for kind, query in queries.items():
            for key, pk, code in query if wanted[kind] else ():
                found.setdefault((kind, key), (pk, code))
        if wanted["name_city"]:
            names, cities = zip(*wanted["name_city"], strict=True)
            query = (
                Address.objects.filter(tenant=self.tenant, firm__isnull=False)
                .annotate(n=folded("firm__name"), c=folded("city"))
                .filter(n__in=set(names), c__in=set(cities))
                .order_by("firm_id")
                .values_list("n", "c", "firm_id", "firm__code")
            )
            for name, city, pk, code in query:
                found.setdefault(("name_city", name, city), (pk, code))
        return found

    def parents(self, rows):
        codes = {values["parent_code"].upper() for _n, values in rows if "parent_code" in values}
        if not codes:
            return {}
        firms = visible_firms(tenant=self.tenant, member=self.member).annotate(k=Upper("code"))
        return {firm.k: firm for firm in firms.filter(k__in=codes)}

    def parent(self, number, values, parents, creates, result):
        """The parent firm (None: the top), or False when the row cannot stand there."""
        code = values.get("parent_code", "").upper()
        parent = self.member.firm if self.member.firm_id else None
        if code:
            if any(v.get("code", "").upper() == code for _n, v, _p in creates):
                self.create(creates, result)  # the parent is a row of this batch: write it first
                creates.clear()
            parent = parents.get(code) or self.created.get(code)
            if parent is None:
                message = _("Parent code “%(code)s”: no such firm that you can see.")
                result.error(number, message % {"code": values["parent_code"]})
                return False
        firm_type = values.get("type", FirmType.CUSTOMER)
        if firm_type not in ALLOWED_CHILDREN[parent.type if parent else None]:
            message = _("A %(child)s cannot stand under a %(parent)s.") % {
                "child": FirmType(firm_type).label,
                "parent": parent.get_type_display() if parent else _("the company"),
            }
            result.error(number, message)
            return False
        return parent

    def reserve_codes(self, creates):
        """Codes ``F000123`` from the tenant's firm-code sequence, one lock per batch."""
        need = sum(1 for _n, values, _p in creates if "code" not in values)
        given = {values["code"].upper() for _n, values, _p in creates if "code" in values}
        codes = []
        while len(codes) < need:
            count = need - len(codes)
            Sequence.objects.get_or_create(tenant=self.tenant, name="firm-code")
            sequence = Sequence.objects.select_for_update().get(
                tenant=self.tenant, name="firm-code"
            )
            first, sequence.value = sequence.value + 1, sequence.value + count
            sequence.save(update_fields=["value", "updated_at"])
            candidates = [f"F{n:06d}" for n in range(first, first + count)]
            taken = given | set(
                Firm.objects.filter(tenant=self.tenant)
                .annotate(k=Upper("code"))
                .filter(k__in=candidates)
                .values_list("k", flat=True)
            )
            codes += [code for code in candidates if code not in taken]
        return iter(codes)

    def new_firm(self, values, parent, code):
        contact = (
            new_contact(self.tenant, values["contact_name"]) if "contact_name" in values else None
        )
        firm = Firm(
            tenant=self.tenant,
            created_by=self.actor,
            code=values.get("code") or code,
            type=values.get("type", FirmType.CUSTOMER),
            parent=parent,
            path=f"{parent.path}{parent.pk}/" if parent else "/",
            primary_contact=contact,
            custom=self.custom(values),
        )
        for name in FIRM_VALUES[1:]:
            if name in values:
                setattr(firm, name, values[name])
        return firm, contact

    def create(self, creates, result):
        if not creates:
            return
        codes = self.reserve_codes(creates)
        made = [
            (
                number,
                values,
                *self.new_firm(values, parent, "" if "code" in values else next(codes)),
            )
            for number, values, parent in creates
        ]
        copy_insert(Contact, [contact for *_rest, contact in made if contact])
        copy_insert(Firm, [firm for _n, _v, firm, _c in made])
        channels, links = defaultdict(list), []
        for number, values, firm, contact in made:
            result.add(number, "created")
            self.created[firm.code.upper()] = firm
            self.add_channels(channels, firm, values)
            address = {name: values[name] for name in ADDRESS_VALUES if name in values}
            if address:
                channels[Address].append(Address(tenant=self.tenant, firm=firm, **address))
            self.record(firm, AuditEntry.Action.CREATE, audit.diff({}, snapshot(firm, FIRM_FIELDS)))
            if contact:
                links.append(FirmContact(tenant=self.tenant, firm=firm, contact=contact))
                self.add_channels(channels, contact, values, prefix="contact_")
                changes = audit.diff({}, snapshot(contact, CONTACT_FIELDS))
                self.record(contact, AuditEntry.Action.CREATE, changes)
        copy_insert(FirmContact, links)
        self.save_channels(channels)

    def change(self, updates, result):
        if not updates:
            return
        ids = {pk for _n, _v, (pk, _code) in updates}
        firms = (
            Firm.objects.select_for_update(of=("self",))
            .filter(
                tenant=self.tenant, pk__in=self.writable_firms().filter(pk__in=ids).values("pk")
            )
            .select_related(*FIRM_RELATED)
            .in_bulk()
        )
        have = self.have(ids)
        self.changes = {"firms": {}, "channels": defaultdict(list), "contacts": [], "links": []}
        self.changes["addresses"] = set()
        for number, values, (pk, code) in updates:
            if pk not in firms:
                message = _("%(name)s already exists and you may not change it.")
                result.error(number, message % {"name": code})
            elif self.change_one(firms[pk], values, have[pk]):
                result.add(number, "updated")
            else:
                result.skip(number, _("%(name)s is already up to date.") % {"name": code})
        self.save_changes()

    def change_one(self, firm, values, have):
        """Apply one row to an existing firm in memory; the changes, or [] for none."""
        before = snapshot(firm, FIRM_FIELDS)
        for name in FIRM_VALUES:
            if name in values:
                setattr(firm, name, values[name])
        if self.custom(values):
            firm.custom = {**firm.custom, **self.custom(values)}
        notes = self.add_channels(self.changes["channels"], firm, values, have=have)
        notes += self.change_address(firm, values, have)
        name = values.get("contact_name")
        if name and fold(name) not in have["names"]:
            have["names"].add(fold(name))
            contact = new_contact(self.tenant, name)
            self.changes["contacts"].append(contact)
            self.changes["links"].append(
                FirmContact(tenant=self.tenant, firm=firm, contact=contact)
            )
            self.add_channels(self.changes["channels"], contact, values, prefix="contact_")
            notes.append({"field": "contacts", "old": "", "new": contact.full_name})
            if firm.primary_contact is None:
                firm.primary_contact = contact
        changes = audit.diff(before, snapshot(firm, FIRM_FIELDS)) + notes
        if changes:
            self.changes["firms"][firm.pk] = firm
            self.record(firm, AuditEntry.Action.UPDATE, changes)
        return changes

    def change_address(self, firm, values, have):
        """The address columns change the firm's first address, or add one."""
        given = {name: values[name] for name in ADDRESS_VALUES if name in values}
        if not given:
            return []
        address = have["address"]
        if address is None:
            address = have["address"] = Address(tenant=self.tenant, firm=firm, **given)
            self.changes["channels"][Address].append(address)
            return [{"field": "addresses", "old": "", "new": str(address)}]
        old = str(address)
        for name, value in given.items():
            setattr(address, name, value)
        if str(address) == old:
            return []
        if address.pk:
            self.changes["addresses"].add(address)
        return [{"field": "addresses", "old": old, "new": str(address)}]

    def save_changes(self):
        changes = self.changes
        copy_insert(Contact, changes["contacts"])
        for contact in changes["contacts"]:
            self.record(
                contact,
                AuditEntry.Action.CREATE,
                audit.diff({}, snapshot(contact, CONTACT_FIELDS)),
            )
        copy_insert(FirmContact, changes["links"])
        self.save_channels(changes["channels"])
        now = timezone.now()
        for instance in [*changes["firms"].values(), *changes["addresses"]]:
            instance.updated_at = now
        Address.objects.bulk_update(changes["addresses"], [*ADDRESS_VALUES, "updated_at"])
        fields = [*FIRM_VALUES, "custom", "primary_contact", "updated_at"]
        Firm.objects.bulk_update(changes["firms"].values(), fields)

    def have(self, ids):
        """What the firms to update have already: channels, first address, contact names."""
        have = {pk: {**no_channels(), "names": set(), "address": None} for pk in ids}
        scoped = {"tenant": self.tenant, "firm_id__in": ids}
        lists = {
            "phones": Phone.objects.filter(**scoped).values_list("firm_id", "digits"),
            "emails": Email.objects.filter(**scoped).values_list("firm_id", Lower("address")),
            "websites": Website.objects.filter(**scoped).values_list("firm_id", Lower("url")),
            "names": FirmContact.objects.filter(**scoped).values_list("firm_id", folded(FULL_NAME)),
        }
        for name, query in lists.items():
            for pk, value in query:
                have[pk][name].add(value)
        first = Address.objects.filter(**scoped).order_by("firm_id", "id").distinct("firm_id")
        for address in first:
            have[address.firm_id]["address"] = address
        return have
