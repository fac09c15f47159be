"""The batch writers of imports: one batch of rows in, through the firm and contact rules.

A writer is called by ``companies.services.imports`` inside the batch's transaction. It reads
every row, checks it against the database (parent, duplicates, the member's right to change
the match), then writes the good rows with ``copy_insert`` (PostgreSQL's COPY) and
``bulk_update``: a fixed number of statements per batch, whatever its size, audit entries
included.

Duplicates: a firm is the same as an existing one when it has the same code, tax number,
e-mail, or name in the same city; a contact when it has the same e-mail, or the same name at
the same firm. A row repeating an earlier row of the file is skipped (or, when updating,
reported: the file does not say which of the two is right).
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import F, FileField, JSONField, Value
from django.db.models.functions import Concat, Lower, Upper
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from companies.importing import RowReader, fold, folded, required_on_create
from companies.models import Contact, Email, Firm, FirmContact, ImportJob, Phone, Website
from companies.selectors.firms import visible_firms
from companies.services.firms import CONTACT_FIELDS, snapshot
from core import audit
from core.models import AuditEntry

CONTACT_VALUES = (
    "prefix", "first_name", "last_name", "job_title", "department", "birthday", "notes",
)  # fmt: skip
KEY_LABELS = {
    "code": gettext_lazy("code"),
    "tax": gettext_lazy("tax number"),
    "email": gettext_lazy("e-mail"),
    "name_city": gettext_lazy("name and city"),
    "name": gettext_lazy("name at the same firm"),
}
FULL_NAME = Concat(F("contact__first_name"), Value(" "), F("contact__last_name"))


def copy_insert(model, objects):
    """``bulk_create`` through COPY, several times faster for thousands of rows.

    The primary keys are drawn from the table's sequence first, so the objects come back
    saved with their ids, as from ``bulk_create``; foreign keys to objects saved just before
    are taken up the same way. Like ``bulk_create``, no ``save()`` and no signals.
    """
    objects = list(objects)
    if not objects:
        return objects
    meta, quote = model._meta, connection.ops.quote_name
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    stamped = [f for f in fields if getattr(f, "auto_now", False)]
    # Files and JSON need their database form; plain values go to psycopg as they are.
    prepared = {f.attname: f for f in fields if isinstance(f, FileField | JSONField)}
    columns = ", ".join(quote(f.column) for f in [meta.pk, *fields])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objects)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj, pk in zip(objects, ids, strict=True):
                obj._prepare_related_fields_for_save(operation_name="bulk_create")
                for stamp in stamped:
                    stamp.pre_save(obj, add=True)
                obj.pk, obj._state.adding, obj._state.db = pk, False, connection.alias
                row = [pk]
                for f in fields:
                    value = getattr(obj, f.attname)
                    if f.attname in prepared:
                        value = f.get_db_prep_save(value, connection)
                    elif isinstance(value, str):
                        value = str(value)  # TextChoices members become plain text
                    row.append(value)
                copy.write_row(row)
    return objects


@dataclass
class BatchResult:
    created: int = 0
    updated: int = 0
    errors: list = field(default_factory=list)  # [(row number, [message, ...])]
    skipped: list = field(default_factory=list)  # [(row number, message)]
    done: dict = field(default_factory=dict)  # row number → "created" | "updated"

    def add(self, number, outcome):
        self.done[number] = outcome
        if outcome == "created":
            self.created += 1
        else:
            self.updated += 1

    def error(self, number, *messages):
        self.errors.append((number, [str(m) for m in messages]))

    def skip(self, number, message):
        self.skipped.append((number, str(message)))


def new_contact(tenant, name):
    """A contact from one "first names last name" cell."""
    first, _sep, last = name.rpartition(" ")
    if not first:
        first, last = last, ""
    return Contact(tenant=tenant, first_name=first[:100], last_name=last[:100])


def no_channels():
    return {"phones": set(), "emails": set(), "websites": set()}


class Writer:
    """What the firm and contact writers share: reading rows, matching, channels, audit."""

    def __init__(self, *, tenant, member, job):
        self.tenant, self.member, self.actor = tenant, member, job.created_by
        self.update = job.on_duplicate == ImportJob.OnDuplicate.UPDATE
        self.reader = RowReader(tenant=tenant, kind=job.kind, mapping=job.mapping)
        self.summary = _("Imported from %(file)s") % {"file": job.original_name}
        self.seen = {}  # duplicate key → the accepted row of the file that had it first
        self.audit_rows = []
        columns = self.reader.columns
        self.required = required_on_create(tenant=tenant, kind=job.kind, columns=columns)

    def write(self, batch):
        """Check and write one batch of ``[(row number, cells)]``; a :class:`BatchResult`."""
        result, rows, self.audit_rows = BatchResult(), [], []
        for number, cells in batch:
            values, messages = self.reader.read(cells)
            if messages:
                result.error(number, *messages)
            else:
                rows.append((number, values))
        self.write_rows(rows, result)
        copy_insert(
            AuditEntry,
            (
                AuditEntry(
                    tenant=self.tenant,
                    actor=self.actor,
                    subject_type=audit.subject_type(instance),
                    subject_id=instance.pk,
                    action=action,
                    changes=changes,
                    summary=str(summary)[:255],
                )
                for instance, action, changes, summary in self.audit_rows
            ),
        )
        return result

    def write_rows(self, rows, result):
        raise NotImplementedError

    def lacks(self, number, values, result):
        """Whether a new record from this row lacks a column it needs (reported)."""
        missing = [column for column in self.required if column.key not in values]
        for column in missing:
            result.error(number, _("%(column)s is required.") % {"column": column.label})
        return bool(missing)

    @staticmethod
    def custom(values):
        """The row's custom field values, keyed as in the ``custom`` JSON column."""
        return {k.removeprefix("custom:"): v for k, v in values.items() if k[:7] == "custom:"}

    def record(self, instance, action, changes=(), summary=None):
        summary = self.summary if summary is None else summary
        self.audit_rows.append((instance, action, list(changes), summary))

    def match(self, number, keys, existing, result):
        """``None`` for a new record, ``(pk, name)`` of the one to update, False if handled."""
        earlier = next((self.seen[k] for k in keys if k in self.seen), None)
        if earlier is not None:
            if self.update:
                message = _("The file has this record already, in row %(row)d.")
                result.error(number, message % {"row": earlier})
            else:
                result.skip(number, _("Same as row %(row)d.") % {"row": earlier})
            return False
        found = {existing[k]: k for k in keys if k in existing}
        if len(found) > 1:
            names = ", ".join(sorted(name for _pk, name in found))
            message = _("This row matches several existing records: %(names)s.")
            result.error(number, message % {"names": names})
            return False
        if not found:
            return None
        ((match, key),) = found.items()
        if self.update:
            return match
        message = _("%(name)s already exists (same %(key)s).")
        result.skip(number, message % {"name": match[1], "key": KEY_LABELS[key[0]]})
        return False

    def add_channels(self, channels, owner, values, prefix="", have=None):
        """Queue the row's phone, e-mail (and a firm's website) unless ``owner`` has them."""
        owner_field = "firm" if isinstance(owner, Firm) else "contact"
        have = no_channels() if have is None else have
        owned = {"tenant": self.tenant, owner_field: owner}
        added = []
        if values.get(f"{prefix}phone"):
            phone = Phone(**owned, **values[f"{prefix}phone"])
            phone.digits = "".join(
                ch for ch in f"{phone.country_code}{phone.number}" if ch.isdigit()
            )
            if phone.digits not in have["phones"]:
                have["phones"].add(phone.digits)
                channels[Phone].append(phone)
                added.append({"field": "phones", "old": "", "new": str(phone)})
        email = values.get(f"{prefix}email")
        if email and email.lower() not in have["emails"]:
            have["emails"].add(email.lower())
            channels[Email].append(Email(**owned, address=email))
            added.append({"field": "emails", "old": "", "new": email})
        url = values.get("website") if owner_field == "firm" and not prefix else None
        if url and url.lower() not in have["websites"]:
            have["websites"].add(url.lower())
            channels[Website].append(Website(**owned, url=url))
            added.append({"field": "websites", "old": "", "new": url})
        return added

    @staticmethod
    def save_channels(channels):
        for model, objects in channels.items():
            copy_insert(model, objects)

    def writable_firms(self):
        return visible_firms(tenant=self.tenant, member=self.member, write=True)


class ContactWriter(Writer):
    """Contacts of existing firms. The firm is found by its code and must be one the member
    may change; a contact found again (same e-mail) is also linked to the row's firm."""

    def write_rows(self, rows, result):
        codes = {values["firm_code"].upper() for _n, values in rows}
        firms = self.writable_firms().annotate(k=Upper("code")).filter(k__in=codes)
        firms = {firm.k: firm for firm in firms}
        keys = {}
        for number, values in rows:
            values["firm"] = firm = firms.get(values["firm_code"].upper())
            if firm is None:
                message = _("Firm code “%(code)s”: no such firm that you may change.")
                result.error(number, message % {"code": values["firm_code"]})
                continue
            name = fold(f"{values['first_name']} {values.get('last_name', '')}")
            keys[number] = [("name", firm.pk, name)]
            if "email" in values:
                keys[number].insert(0, ("email", values["email"].lower()))
        existing = self.existing([key for row_keys in keys.values() for key in row_keys])
        creates, updates = [], []
        for number, values in rows:
            match = self.match(number, keys[number], existing, result) if number in keys else False
            if match:
                updates.append((number, values, match))
            elif match is None and not self.lacks(number, values, result):
                creates.append((number, values))
            else:
                continue
            self.seen.update(dict.fromkeys(keys[number], number))
        self.create(creates, result)
        self.change(updates, result)

    def existing(self, keys):
        """``{key: (contact id, name)}`` of existing contacts, the oldest first."""
        emails = {key[1] for key in keys if key[0] == "email"}
        names = {key[2] for key in keys if key[0] == "name"}
        firm_ids = {key[1] for key in keys if key[0] == "name"}
        shown = ("contact_id", "contact__first_name", "contact__last_name")
        by_email = (
            Email.objects.filter(tenant=self.tenant, contact__isnull=False, address__isnull=False)
            .annotate(k=Lower("address"))
            .filter(k__in=emails)
            .order_by("contact_id")
            .values_list("k", *shown)
        )
        by_name = (
            FirmContact.objects.filter(tenant=self.tenant, firm_id__in=firm_ids)
            .annotate(n=folded(FULL_NAME))
            .filter(n__in=names)
            .order_by("contact_id")
            .values_list("firm_id", "n", *shown)
        )
        found = {}
        for key, pk, first, last in by_email if emails else ():
            found.setdefault(("email", key), (pk, f"{first} {last}".strip()))
        for firm_id, name, pk, first, last in by_name if names else ():
            found.setdefault(("name", firm_id, name), (pk, f"{first} {last}".strip()))
        return found

    def create(self, creates, result):
        if not creates:
            return
        made = []
        for number, values in creates:
            fields = {name: values[name] for name in CONTACT_VALUES if name in values}
            contact = Contact(tenant=self.tenant, custom=self.custom(values), **fields)
            made.append((values, contact))
            result.add(number, "created")
        copy_insert(Contact, [contact for _v, contact in made])
        links = [FirmContact(tenant=self.tenant, firm=v["firm"], contact=c) for v, c in made]
        copy_insert(FirmContact, links)
        channels, primaries = defaultdict(list), {}
        for values, contact in made:
            firm = values["firm"]
            self.add_channels(channels, contact, values)
            changes = audit.diff({}, snapshot(contact, CONTACT_FIELDS))
            self.record(contact, AuditEntry.Action.CREATE, changes)
            self.added_to(firm, contact)
            if firm.primary_contact_id is None and firm.pk not in primaries:
                primaries[firm.pk] = firm
                firm.primary_contact = contact
        self.save_channels(channels)
        Firm.objects.bulk_update(primaries.values(), ["primary_contact"])

    def added_to(self, firm, contact):
        summary = _("Contact added: %(name)s") % {"name": contact.full_name}
        self.record(firm, AuditEntry.Action.EVENT, summary=summary)

    def change(self, updates, result):
        if not updates:
            return
        ids = {pk for _n, _v, (pk, _name) in updates}
        links = FirmContact.objects.filter(tenant=self.tenant, contact_id__in=ids)
        allowed = links.filter(firm__in=self.writable_firms()).values("contact_id")
        contacts = (
            Contact.objects.select_for_update(of=("self",))
            .filter(tenant=self.tenant, pk__in=allowed)
            .select_related("prefix", "preferred_channel")
            .in_bulk()
        )
        self.links = set(links.values_list("contact_id", "firm_id"))
        self.have = {pk: no_channels() for pk in ids}
        scoped = {"tenant": self.tenant, "contact_id__in": ids}
        for pk, digits in Phone.objects.filter(**scoped).values_list("contact_id", "digits"):
            self.have[pk]["phones"].add(digits)
        for pk, email in Email.objects.filter(**scoped).values_list("contact_id", Lower("address")):
            self.have[pk]["emails"].add(email)
        self.changed, self.channels, self.new_links = {}, defaultdict(list), []
        for number, values, (pk, name) in updates:
            if pk not in contacts:
                message = _("%(name)s already exists and you may not change it.")
                result.error(number, message % {"name": name})
            elif self.change_one(contacts[pk], values):
                result.add(number, "updated")
            else:
                result.skip(number, _("%(name)s is already up to date.") % {"name": name})
        copy_insert(FirmContact, self.new_links)
        self.save_channels(self.channels)
        fields = [*CONTACT_VALUES, "custom", "updated_at"]
        Contact.objects.bulk_update(self.changed.values(), fields)

    def change_one(self, contact, values):
        before = snapshot(contact, CONTACT_FIELDS)
        for name in CONTACT_VALUES:
            if name in values:
                setattr(contact, name, values[name])
        if self.custom(values):
            contact.custom = {**contact.custom, **self.custom(values)}
        notes = self.add_channels(self.channels, contact, values, have=self.have[contact.pk])
        firm = values["firm"]
        if (contact.pk, firm.pk) not in self.links:
            self.links.add((contact.pk, firm.pk))
            self.new_links.append(FirmContact(tenant=self.tenant, firm=firm, contact=contact))
            self.added_to(firm, contact)
            notes.append({"field": "firms", "old": "", "new": firm.name})
        changes = audit.diff(before, snapshot(contact, CONTACT_FIELDS)) + notes
        if changes:
            contact.updated_at = timezone.now()
            self.changed[contact.pk] = contact
            self.record(contact, AuditEntry.Action.UPDATE, changes)
        return changes
