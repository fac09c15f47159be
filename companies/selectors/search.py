"""Quick search and the phone book: firms and contacts by name, code, phone or e-mail.

Matching is tolerant of typos and of Turkish letters typed without accents: names are compared
with pg_trgm's word similarity over ``kervan_unaccent()`` (migration ``0004_search``), which
folds "Çağrı Dağıtım" and "cagri dagitim" to the same text, and each comparison is backed by a
trigram index on exactly the same expression (GiST for names, read in similarity order; GIN
for codes, e-mails and phone digits). Phones match on their digits, whatever separators the
user types; e-mails by the start of the address or of its domain.

Every read is narrowed by the member's row rules: firms by ``visible_firms``, contacts by the
firms they belong to.
"""

import re
import unicodedata
from dataclasses import dataclass, field

import phonenumbers
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    FloatField,
    Func,
    OuterRef,
    Prefetch,
    Subquery,
    TextField,
    Value,
    When,
)

from companies.models import Address, Contact, Email, FirmContact, Phone
from companies.selectors.firms import visible_firms

MAX_QUERY_LENGTH = 100
MIN_SIGNIFICANT = 2  # letters or digits a query needs before it is run
MIN_PHONE_DIGITS = 3
QUICK_LIMIT = 8
ARM_LIMIT = 50  # candidates each way of matching brings before ranking
PAGE_LIMIT = 25
PHONE_LIKE = re.compile(r"^[\d\s()+\-./]+$")
CONTACT_SORTS = {
    "name": ("first_name", "last_name", "id"),
    "-name": ("-first_name", "-last_name", "-id"),
}


class Fold(Func):
    """``kervan_unaccent(x)``: lower case, without accents, ı/İ folded to i."""

    function = "kervan_unaccent"
    output_field = TextField()


class PersonName(Func):
    """``first_name || ' ' || last_name``, spelled exactly as the contact name index."""

    template = "(%(expressions)s)"
    arg_joiner = " || ' ' || "
    output_field = TextField()


class WordSimilar(Func):
    """``needle <% haystack``: some run of words in haystack is similar to needle."""

    template = "(%(expressions)s)"
    arg_joiner = " <%% "
    output_field = BooleanField()


class Like(Func):
    template = "(%(expressions)s)"
    arg_joiner = " LIKE "
    output_field = BooleanField()


class WordDistance(Func):
    """``needle <<-> haystack``: 1 - word similarity; a GiST trigram index orders by it."""

    template = "(%(expressions)s)"
    arg_joiner = " <<-> "
    output_field = FloatField()


class WordSimilarity(Func):
    function = "word_similarity"
    output_field = FloatField()


class Similarity(Func):
    function = "similarity"
    output_field = FloatField()


def escape_like(text):
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class Terms:
    """A cleaned query: the text, and the digits to look for in phone numbers."""

    text: str = ""
    digits: str = ""

    @property
    def usable(self):
        return sum(ch.isalnum() for ch in self.text) >= MIN_SIGNIFICANT

    @property
    def single_token(self):
        """No spaces: it may be (part of) a code or an e-mail address."""
        return " " not in self.text


def parse_query(raw):
    """Terms of a user's query: NUL and control characters dropped, spaces collapsed, capped.

    A query that looks like a phone number ("0212 555 12 34", "+90 (212) 555-1234", Persian
    or Arabic digits) also searches phones by its national digits, without the country code
    and the trunk zero, so that it matches "902125551234" and "9002125551234" alike.
    """
    text = "".join(ch if ch.isprintable() else " " for ch in str(raw or ""))
    text = " ".join(text.split())[:MAX_QUERY_LENGTH]
    text = text.encode("utf-8", "ignore").decode("utf-8")  # lone surrogates
    digits = phone_digits(text) if PHONE_LIKE.match(text) else ""
    return Terms(text=text, digits=digits if len(digits) >= MIN_PHONE_DIGITS else "")


def phone_digits(text):
    """The digits to look for: "+90 212 555 12 34" and "0212 555 12 34" → "2125551234"."""
    digits = "".join(str(unicodedata.decimal(ch)) for ch in text if ch.isdecimal())
    if text.startswith(("+", "00")):
        try:
            number = phonenumbers.parse(f"+{digits.removeprefix('00')}")
        except phonenumbers.NumberParseException:
            pass
        else:
            if number.national_number:
                return str(number.national_number)
    return digits.lstrip("0")


def _email_match(terms):
    """The address starts with the query, or its domain does."""
    escaped = escape_like(terms.text)
    address = Fold(F("address"))
    return Like(address, Fold(Value(f"{escaped}%"))) | Like(address, Fold(Value(f"%@{escaped}%")))


def _firm_name():
    return Fold(F("name"))


def _contact_name():
    return Fold(PersonName(F("first_name"), F("last_name")))


def _nearest(rows, terms, name):
    """The ``ARM_LIMIT`` rows whose name is most like the query, in GiST index order."""
    folded = Fold(Value(terms.text))
    return (
        rows.filter(WordSimilar(folded, name))
        .order_by(WordDistance(folded, name))
        .values("pk")[:ARM_LIMIT]
    )


def _channel_arms(tenant, terms, owner, owners):
    """Owner ids of matching phones (for a number) and e-mails, among visible ``owners``."""
    arms = []
    visible = {"tenant": tenant, f"{owner}__in": owners}
    if terms.digits:
        phones = Phone.objects.filter(digits__contains=terms.digits, **visible)
        arms.append(phones.order_by().values(owner)[:ARM_LIMIT])
    if terms.single_token:
        emails = Email.objects.filter(_email_match(terms), **visible)
        arms.append(emails.order_by().values(owner)[:ARM_LIMIT])
    return arms


def _union(arms):
    return arms[0].union(*arms[1:]) if len(arms) > 1 else arms[0]


def firm_matches(*, tenant, member, query, firms=None):
    """The member's visible firms matching ``query``, best first.

    Each way of matching (name, exact code, code fragment, phone, e-mail) contributes at most
    ``ARM_LIMIT`` candidates through its own index; only those are ranked, so a query that
    matches half the tenant costs no more than one that matches a single firm.
    """
    terms = query if isinstance(query, Terms) else parse_query(query)
    firms = visible_firms(tenant=tenant, member=member) if firms is None else firms
    if not terms.usable:
        return firms.none()
    arms = [
        _nearest(firms, terms, _firm_name()),
        firms.filter(code__in={terms.text, terms.text.upper()}).order_by().values("pk"),
    ]
    if terms.single_token:
        fragment = Fold(Value(f"%{escape_like(terms.text)}%"))
        arms.append(
            firms.filter(Like(Fold(F("code")), fragment)).order_by().values("pk")[:ARM_LIMIT]
        )
    arms += _channel_arms(tenant, terms, "firm", firms)
    folded = Fold(Value(terms.text))
    first_city = Address.objects.filter(firm=OuterRef("pk")).order_by("id").values("city")[:1]
    return (
        firms.filter(pk__in=_union(arms))
        .select_related("parent")
        .annotate(
            city=Subquery(first_city),
            code_hit=Case(
                When(code__iexact=terms.text, then=Value(1.0)),
                default=Value(0.0),
                output_field=FloatField(),
            ),
            word_score=WordSimilarity(folded, _firm_name()),
            score=Similarity(folded, _firm_name()),
        )
        .order_by("-code_hit", "-word_score", "-score", "name", "id")
    )


def visible_contacts(*, tenant, member, firms=None):
    """Contacts of the firms the member may see (a contact of several firms counts once)."""
    firms = visible_firms(tenant=tenant, member=member) if firms is None else firms
    links = FirmContact.objects.filter(tenant=tenant, contact=OuterRef("pk"), firm__in=firms)
    return Contact.objects.filter(tenant=tenant).filter(Exists(links))


def with_channels(contacts, *, firms):
    """Contacts with their phones, e-mails and visible firms loaded: three queries in all."""
    return contacts.select_related("prefix").prefetch_related(
        Prefetch("phones", queryset=Phone.objects.select_related("kind").order_by("id")),
        Prefetch("emails", queryset=Email.objects.order_by("id")),
        Prefetch(
            "firms",
            queryset=firms.only("id", "name", "code", "path").order_by("name", "id"),
            to_attr="visible_firm_list",
        ),
    )


def contact_matches(*, tenant, member, query, firms=None):
    """The member's visible contacts matching ``query``, best first (candidates as for firms)."""
    terms = query if isinstance(query, Terms) else parse_query(query)
    firms = visible_firms(tenant=tenant, member=member) if firms is None else firms
    contacts = visible_contacts(tenant=tenant, member=member, firms=firms)
    if not terms.usable:
        return contacts.none()
    arms = [_nearest(contacts, terms, _contact_name())]
    arms += _channel_arms(tenant, terms, "contact", contacts)
    folded = Fold(Value(terms.text))
    return (
        contacts.filter(pk__in=_union(arms))
        .annotate(
            word_score=WordSimilarity(folded, _contact_name()),
            score=Similarity(folded, _contact_name()),
        )
        .order_by("-word_score", "-score", "first_name", "last_name", "id")
    )


def contact_search(*, tenant, member, query, firms=None):
    """Every visible contact matching ``query``, for paging through (the phone book).

    A number searches phones and an address with "@" e-mails, in name order; anything else
    searches names, most alike first in GiST index order, so that a page of a common name
    does not rank every contact who bears it.
    """
    terms = query if isinstance(query, Terms) else parse_query(query)
    firms = visible_firms(tenant=tenant, member=member) if firms is None else firms
    contacts = visible_contacts(tenant=tenant, member=member, firms=firms)
    if not terms.usable:
        return contacts.none()
    if terms.digits:
        phones = Phone.objects.filter(tenant=tenant, digits__contains=terms.digits)
        return contacts.filter(pk__in=phones.values("contact")).order_by(*CONTACT_SORTS["name"])
    if "@" in terms.text:
        emails = Email.objects.filter(_email_match(terms), tenant=tenant)
        return contacts.filter(pk__in=emails.values("contact")).order_by(*CONTACT_SORTS["name"])
    folded = Fold(Value(terms.text))
    return contacts.filter(WordSimilar(folded, _contact_name())).order_by(
        WordDistance(folded, _contact_name())
    )


@dataclass
class SearchResults:
    terms: Terms
    firms: list = field(default_factory=list)
    contacts: list = field(default_factory=list)
    limit: int = QUICK_LIMIT

    @property
    def query(self):
        return self.terms.text

    @property
    def is_empty(self):
        return not self.firms and not self.contacts

    @property
    def shown_firms(self):
        return self.firms[: self.limit]

    @property
    def shown_contacts(self):
        return self.contacts[: self.limit]

    @property
    def more_firms(self):
        return len(self.firms) > self.limit

    @property
    def more_contacts(self):
        return len(self.contacts) > self.limit


def quick_search(*, tenant, member, query, limit=QUICK_LIMIT):
    """Firms and contacts matching ``query``, ``limit`` of each (plus one, to tell if more)."""
    terms = parse_query(query)
    results = SearchResults(terms=terms, limit=limit)
    if not terms.usable:
        return results
    firms = visible_firms(tenant=tenant, member=member)
    results.firms = list(
        firm_matches(tenant=tenant, member=member, query=terms, firms=firms)[: limit + 1]
    )
    contacts = contact_matches(tenant=tenant, member=member, query=terms, firms=firms)
    results.contacts = list(with_channels(contacts, firms=firms)[: limit + 1])
    return results


@dataclass
class Window:
    """One page of a list, found without counting the whole list (see ``phonebook``)."""

    object_list: list
    number: int
    has_next: bool
    per_page: int = PAGE_LIMIT

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    @property
    def has_previous(self):
        return self.number > 1

    @property
    def next_page_number(self):
        return self.number + 1

    @property
    def previous_page_number(self):
        return self.number - 1

    @property
    def start_index(self):
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0


def page_number(raw, *, last=10_000):
    try:
        return min(max(int(str(raw)), 1), last)
    except (TypeError, ValueError):
        return 1


def phonebook(*, tenant, member, query="", sort="", page=1, per_page=PAGE_LIMIT):
    """A page of the phone book: visible contacts with their phones, e-mails and firms.

    With a query, the best matches come first unless a sort is asked for. The page is read
    with one row more than it shows instead of counting every contact: the first page of a
    300,000-contact tenant costs the same as that of a small one.
    """
    firms = visible_firms(tenant=tenant, member=member)
    terms = parse_query(query)
    if terms.text:
        contacts = contact_search(tenant=tenant, member=member, query=terms, firms=firms)
    else:
        contacts = visible_contacts(tenant=tenant, member=member, firms=firms)
    if sort in CONTACT_SORTS or not terms.text:
        contacts = contacts.order_by(*CONTACT_SORTS.get(sort, CONTACT_SORTS["name"]))
    number = page_number(page)
    start = (number - 1) * per_page
    rows = list(with_channels(contacts, firms=firms)[start : start + per_page + 1])
    return Window(
        object_list=rows[:per_page], number=number, has_next=len(rows) > per_page, per_page=per_page
    )
