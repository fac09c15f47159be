"""The columns of an import, the column mapping and the checks that turn one row's cells into
values (seed 002); reading the file itself is ``companies.import_files``.

Nothing here writes: ``companies.services.imports`` stores what these functions accept.
Choice values (type, sector, ...) are found by code or by label, ignoring case and the
difference between Turkish letters and their plain forms (``fold``).
"""

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db.models import Func, Value
from django.db.models.functions import Lower, Trim
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from companies.models.firms import FirmRole, FirmStatus, FirmType, Priority
from companies.models.imports import ImportJob
from core import choices
from core.exports import FORMULA_START

# ``None``: content that no binary signature matches (plain text), checked further below.
NOTES_LIMIT = 5000

FOLD_FROM, FOLD_TO = "İIıŞşĞğÇçÖöÜüÂâÎîÛû", "iiissggccoouuaaiiuu"
FOLD_TABLE = str.maketrans(FOLD_FROM, FOLD_TO)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
PHONE = re.compile(r"[0-9+()\-./ ]{4,40}")
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S")


def fold(text):
    """Case- and Turkish-letter-insensitive form of a text: ``"İSTANBUL"`` → ``"istanbul"``."""
    return " ".join(str(text).translate(FOLD_TABLE).lower().split())


def folded(expression):
    """The SQL twin of :func:`fold` for matching stored values."""
    translated = Func(expression, Value(FOLD_FROM), Value(FOLD_TO), function="TRANSLATE")
    spaces = Func(translated, Value(r"\s+"), Value(" "), Value("g"), function="REGEXP_REPLACE")
    return Lower(Trim(spaces))


@dataclass(frozen=True)
class Column:
    key: str
    label: object
    kind: str = "text"  # text, notes, date, integer, choice, fixed, roles, email, url, phone, ...
    max_length: int = 0
    required: bool = False
    field: object = None  # the tenant's CustomField behind a custom column


FIRM_COLUMNS = (
    Column("code", gettext_lazy("Code"), max_length=30),
    Column("name", gettext_lazy("Name"), max_length=200, required=True),
    Column("type", gettext_lazy("Type"), "fixed"),
    Column("roles", gettext_lazy("Roles"), "roles"),
    Column("parent_code", gettext_lazy("Parent code"), max_length=30),
    Column("tax_number", gettext_lazy("Tax number"), "tax", max_length=30),
    Column("trade_registry_number", gettext_lazy("Trade registry number"), max_length=50),
    Column("brand", gettext_lazy("Brand"), max_length=120),
    Column("founding_date", gettext_lazy("Founding date"), "date"),
    Column("employee_count", gettext_lazy("Number of employees"), "integer"),
    Column("sector", gettext_lazy("Sector"), "choice"),
    Column("lead_source", gettext_lazy("Lead source"), "choice"),
    Column("status", gettext_lazy("Status"), "fixed"),
    Column("priority", gettext_lazy("Priority"), "fixed"),
    Column("sales_rep", gettext_lazy("Sales representative e-mail"), "employee"),
    Column("phone", gettext_lazy("Phone"), "phone"),
    Column("email", gettext_lazy("E-mail"), "email", max_length=254),
    Column("website", gettext_lazy("Website"), "url", max_length=300),
    Column("city", gettext_lazy("City"), max_length=80),
    Column("province", gettext_lazy("Province"), max_length=80),
    Column("country", gettext_lazy("Country"), max_length=80),
    Column("street", gettext_lazy("Street"), max_length=255),
    Column("postal_code", gettext_lazy("Postal code"), max_length=20),
    Column("notes", gettext_lazy("Notes"), "notes", max_length=NOTES_LIMIT),
    Column("contact_name", gettext_lazy("Contact name"), max_length=200),
    Column("contact_phone", gettext_lazy("Contact phone"), "phone"),
    Column("contact_email", gettext_lazy("Contact e-mail"), "email", max_length=254),
)
CONTACT_COLUMNS = (
    Column("firm_code", gettext_lazy("Firm code"), max_length=30, required=True),
    Column("prefix", gettext_lazy("Prefix"), "choice"),
    Column("first_name", gettext_lazy("First name"), max_length=100, required=True),
    Column("last_name", gettext_lazy("Last name"), max_length=100),
    Column("job_title", gettext_lazy("Job title"), max_length=120),
    Column("department", gettext_lazy("Department"), max_length=120),
    Column("phone", gettext_lazy("Phone"), "phone"),
    Column("email", gettext_lazy("E-mail"), "email", max_length=254),
    Column("birthday", gettext_lazy("Birthday"), "date"),
    Column("notes", gettext_lazy("Notes"), "notes", max_length=NOTES_LIMIT),
)
COLUMNS = {ImportJob.Kind.FIRMS: FIRM_COLUMNS, ImportJob.Kind.CONTACTS: CONTACT_COLUMNS}
ENTITIES = {ImportJob.Kind.FIRMS: "firm", ImportJob.Kind.CONTACTS: "contact"}
YES, NO = {"yes", "true", "1", "x", "evet", "✓"}, {"no", "false", "0", "hayir", "✗"}


def columns_for(*, tenant, kind):
    """The built-in columns of ``kind`` followed by the tenant's active custom fields."""
    from companies.custom_fields import active_fields

    custom = tuple(
        Column(f"custom:{f.key}", f.label, "custom", 500 if f.kind == "text" else 0, field=f)
        for f in active_fields(tenant=tenant, entity=ENTITIES[kind])
    )
    return COLUMNS[kind] + custom


def required_on_create(*, tenant, kind, columns):
    """The columns a new record needs: its required custom fields and the built-in fields
    the tenant made required (seed 002), whose column keys are the fields' names."""
    from companies.custom_fields import OPTIONAL_BUILTINS

    made_required = set(tenant.required_fields.get(ENTITIES[kind], [])) & set(
        OPTIONAL_BUILTINS[ENTITIES[kind]]
    )
    return [c for c in columns if (c.field and c.field.required) or c.key in made_required]


# Choice columns → the Settings list behind them; fixed columns → their TextChoices and list.
CHOICE_LISTS = {"sector": "sector", "lead_source": "lead_source", "prefix": "contact_prefix"}
FIXED = {
    "type": (FirmType, "firm_type"),
    "roles": (FirmRole, "firm_role"),
    "status": (FirmStatus, "firm_status"),
    "priority": (Priority, None),
}


def guess_mapping(columns, headers):
    """``{column key: header index}`` for headers that name a column (export's own headers)."""
    names = {}
    for column in columns:
        names[fold(column.key.replace("_", " "))] = column.key
        names[fold(column.label)] = column.key
        with translation.override("en"):
            names[fold(column.label)] = column.key
    mapping = {}
    for index, header in enumerate(headers):
        key = names.get(fold(header))
        if key and key not in mapping:
            mapping[key] = index
    return mapping


# -- one row -----------------------------------------------------------------------------


class RowReader:
    """Turns one row's cells into checked values: ``(values, messages)``.

    ``values`` holds only the columns whose cells are filled in, so an update never clears
    a field with an empty cell. Every problem of the row is reported, not just the first.
    """

    def __init__(self, *, tenant, kind, mapping):
        from accounts.models import Employee

        self.columns = columns_for(tenant=tenant, kind=kind)
        self.mapping = [(c, int(mapping[c.key])) for c in self.columns if c.key in mapping]
        self.kind = kind
        self.options = {}
        used = {column.key for column, _i in self.mapping}
        for key in used & CHOICE_LISTS.keys():
            entries = choices.options(tenant=tenant, key=CHOICE_LISTS[key])
            self.options[key] = self._index(entries, lambda c: (c.code, c.label), lambda c: c)
        for key in used & FIXED.keys():
            text_choices, list_key = FIXED[key]
            self.options[key] = self._fixed(tenant, text_choices, list_key)
        self.employees = {}
        if "sales_rep" in used:
            working = Employee.objects.filter(
                tenant=tenant, status=Employee.Status.WORKING
            ).select_related("user")
            self.employees = {e.user.email.lower(): e for e in working}

    @staticmethod
    def _index(entries, names_of, value_of):
        index = {}
        for entry in entries:
            for name in names_of(entry):
                index.setdefault(fold(name), value_of(entry))
        return index

    def _fixed(self, tenant, text_choices, list_key):
        pairs = list(text_choices.choices)
        for language, _name in settings.LANGUAGES:  # a label in any of the site's languages
            with translation.override(language):
                pairs += [(value, str(label)) for value, label in text_choices.choices]
        if list_key:
            pairs += [
                (code, label)
                for code, label in choices.labels(tenant=tenant, key=list_key).items()
                if code in text_choices.values
            ]
        return self._index(pairs, lambda p: (p[0], str(p[1])), lambda p: p[0])

    def read(self, cells):
        values, messages, filled = {}, [], set()
        for column, index in self.mapping:
            text = cells[index] if index < len(cells) else ""
            if text[:1] == "'" and text[1:2] and text[1] in FORMULA_START:
                text = text[1:]  # our own exports protect such cells with a quote
            if column.kind != "notes":
                text = " ".join(text.split())
            if not text:
                continue
            filled.add(column.key)
            try:
                values[column.key] = self._convert(column, text)
            except ValidationError as error:
                messages.extend(error.messages)
        for column in self.columns:
            if column.required and column.key not in filled:
                messages.append(_("%(column)s is required.") % {"column": column.label})
        orphan = {"contact_phone", "contact_email"} & values.keys()
        if self.kind == ImportJob.Kind.FIRMS and orphan and "contact_name" not in values:
            messages.append(_("The contact's phone or e-mail needs a contact name."))
        return values, list(dict.fromkeys(messages))

    def _convert(self, column, text):
        params = {"column": column.label, "value": CONTROL.sub("", text)[:60]}
        if CONTROL.search(text):
            raise ValidationError(_("%(column)s contains control characters.") % params)
        if column.max_length and len(text) > column.max_length:
            params["limit"] = column.max_length
            raise ValidationError(
                _("%(column)s is too long (at most %(limit)d characters).") % params
            )
        converter = getattr(self, f"_to_{column.kind}", None)
        return converter(column, text, params) if converter else text

    def _to_date(self, column, text, params):
        for pattern in DATE_FORMATS:
            try:
                value = datetime.strptime(text, pattern).date()
            except ValueError:
                continue
            if 1800 <= value.year <= 2200:
                return value
        raise ValidationError(
            _("%(column)s: “%(value)s” is not a date (use YYYY-MM-DD or DD.MM.YYYY).") % params
        )

    def _to_integer(self, column, text, params):
        digits = text.replace(" ", "").replace(".", "").replace(",", "")
        if not digits.isdigit() or not digits.isascii() or int(digits) > 10**9:
            raise ValidationError(_("%(column)s: “%(value)s” is not a whole number.") % params)
        return int(digits)

    def _option(self, column, name, params):
        found = self.options[column.key].get(fold(name))
        if found is None:
            raise ValidationError(
                _("%(column)s: “%(value)s” is not one of the options.")
                % {**params, "value": name[:60]}
            )
        return found

    _to_choice = _to_fixed = _option

    def _to_roles(self, column, text, params):
        names = [part for part in re.split(r"[,;|/]", text) if part.strip()]
        return list(dict.fromkeys(self._option(column, name, params) for name in names))

    def _to_tax(self, column, text, params):
        return text.replace(" ", "")

    def _to_email(self, column, text, params):
        try:
            validate_email(text)
        except ValidationError:
            raise ValidationError(
                _("%(column)s: “%(value)s” is not a valid e-mail address.") % params
            ) from None
        return text

    def _to_url(self, column, text, params):
        url = text if re.match(r"^https?://", text, re.I) else f"https://{text}"
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise ValidationError(
                _("%(column)s: “%(value)s” is not a valid web address.") % params
            ) from None
        return url[:300]

    def _to_phone(self, column, text, params):
        bad = ValidationError(_("%(column)s: “%(value)s” is not a phone number.") % params)
        if not PHONE.fullmatch(text) or sum(ch.isdigit() for ch in text) < 4:
            raise bad
        if text.startswith(("+", "00")):
            try:
                number = phonenumbers.parse("+" + text.lstrip("+0"), None)
            except phonenumbers.NumberParseException:
                raise bad from None
            return {"country_code": str(number.country_code), "number": str(number.national_number)}
        if len(text) > 20:
            raise bad
        return {"country_code": "90", "number": text}

    def _to_custom(self, column, text, params):
        """A custom field's value in its stored JSON form (see ``companies.custom_fields``)."""
        kind, bad = column.field.kind, _("%(column)s: “%(value)s” is not valid here.") % params
        if kind == "date":
            return self._to_date(column, text, params).isoformat()
        if kind == "number":
            try:
                number = Decimal(text.replace(" ", "").replace(",", "."))
            except InvalidOperation:
                raise ValidationError(bad) from None
            if not number.is_finite() or abs(number) >= 10**14:
                raise ValidationError(bad)
            return int(number) if number == number.to_integral() else float(number)
        if kind == "choice":
            options = {fold(option): option for option in column.field.options}
            if fold(text) not in options:
                raise ValidationError(
                    _("%(column)s: “%(value)s” is not one of the options.") % params
                )
            return options[fold(text)]
        if kind == "boolean":
            word = fold(text)
            if word in YES or word == fold(_("Yes")):
                return True
            if word in NO or word == fold(_("No")):
                return False
            raise ValidationError(bad)
        return text

    def _to_employee(self, column, text, params):
        employee = self.employees.get(text.lower())
        if employee is None:
            raise ValidationError(
                _("%(column)s: no working employee has the e-mail “%(value)s”.") % params
            )
        return employee
