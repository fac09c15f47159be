"""The firm's profile in the portal, and the changes of contact details it proposes.

A portal user proposes new values for the firm's phone, e-mail, website and address (the first
of each kind on record) and, with a contact login, for the contact's name, job title, phone and
e-mail. Only changed values are kept: ``ProfileChange.changes`` is
``[{"target": "firm" | "contact", "field", "label", "old", "new"}]``.

One proposal per firm and portal user waits at a time: sending another one while it waits
replaces its content (the sales representative hears of the first by e-mail, of later versions
in the application). Staff who may change the firm accept it, which applies the values through
``companies.services.firms`` (the first value of a kind is replaced, or one is added when there
was none), or decline it with a reason; the portal user gets the decision by e-mail.
"""

import re

import phonenumbers
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from companies.models import Address, Email, Firm, FirmContact, Phone, Website
from companies.selectors.firms import can_change_firm
from companies.services.firms import contact_update, firm_update
from core import audit, mail
from core.models import AuditEntry
from core.notifications import notify
from portal import events
from portal.models import ChangeStatus, PortalEvent, PortalUser, ProfileChange
from portal.services.offers import sender

# (target, field) → the label a person reads, in order.
FIELDS = {
    ("firm", "phone"): gettext_lazy("Phone"),
    ("firm", "email"): gettext_lazy("E-mail"),
    ("firm", "website"): gettext_lazy("Website"),
    ("firm", "address"): gettext_lazy("Address"),
    ("contact", "first_name"): gettext_lazy("First name"),
    ("contact", "last_name"): gettext_lazy("Last name"),
    ("contact", "job_title"): gettext_lazy("Job title"),
    ("contact", "phone"): gettext_lazy("Phone"),
    ("contact", "email"): gettext_lazy("E-mail"),
}
TARGETS = {"firm": gettext_lazy("The firm"), "contact": gettext_lazy("Contact person")}
# Channel fields: the companies' channel key and model.
CHANNELS = {
    "phone": ("phones", Phone),
    "email": ("emails", Email),
    "website": ("websites", Website),
    "address": ("addresses", Address),
}
# The values each channel row keeps when it is written again.
CHANNEL_VALUES = {
    "phones": ("kind_id", "country_code", "area_code", "number", "extension"),
    "emails": ("kind_id", "address"),
    "websites": ("kind_id", "url"),
    "addresses": (
        "kind_id", "country", "province", "city", "district", "street", "postal_code",
        "latitude", "longitude",
    ),
}  # fmt: skip
# The parts of an address in the order its one line shows them (see ``Address.__str__``).
ADDRESS_PARTS = ("street", "district", "city", "province", "country")
ADDRESS_LIMITS = {"street": 255, "district": 80, "city": 80, "province": 80, "country": 80}
PHONE_EXTENSION = re.compile(r"^(?P<main>.*?)\s*/\s*(?P<extension>\d{1,10})$")
PHONE_AREA = re.compile(r"^\(?(?P<area>\d{1,6})\)?[ ]+(?P<rest>.+)$")
NUMBER_LIMIT = 20
# Details that may be emptied (the others can only be replaced).
MAY_EMPTY = {("contact", "last_name"), ("contact", "job_title")}
MESSAGE_LIMIT = 2000


def label_of(item):
    """The label of a stored change in the reader's language (the stored one if unknown)."""
    return str(FIELDS.get((item.get("target"), item.get("field")), item.get("label", "")))


def full_label(item):
    """The label with whose detail it is, when it is the contact person's."""
    if item.get("target") == "contact":
        return f"{label_of(item)} · {TARGETS['contact']}"
    return label_of(item)


def phone_parts(text):
    """``Phone`` fields for a phone typed on one line, or None when it cannot be stored.

    "+90 212 555 00 00 / 12" gives country code 90, area code 212, number 5550000 and
    extension 12; a number without "+" is kept as typed (no country code is guessed).
    """
    text = " ".join((text or "").split())
    parts = {"country_code": "", "area_code": "", "number": "", "extension": ""}
    found = PHONE_EXTENSION.match(text)
    if found:
        text, parts["extension"] = found["main"], found["extension"]
    if text.startswith("+"):
        try:
            number = phonenumbers.parse(text, None)
        except phonenumbers.NumberParseException:
            return None
        if not phonenumbers.is_possible_number(number):
            return None
        national = phonenumbers.national_significant_number(number)
        area = phonenumbers.length_of_geographical_area_code(number)
        parts["country_code"] = str(number.country_code)
        parts["area_code"], parts["number"] = national[:area], national[area:]
        parts["extension"] = parts["extension"] or (number.extension or "")[:10]
        return parts if 3 <= len(parts["number"]) <= NUMBER_LIMIT else None
    found = PHONE_AREA.match(text)
    if found and len(found["rest"]) >= 3:
        parts["area_code"], text = found["area"], found["rest"]
    if sum(ch.isdigit() for ch in text) < 3 or len(text) > NUMBER_LIMIT:
        return None
    parts["number"] = text
    return parts


def address_parts(line, current=None):
    """``Address`` fields for an address typed on one line.

    When the line has as many comma-separated parts as the address on record (``current``)
    shows, and ends with the same country (if it shows one), the parts fill the same fields
    in the same order; otherwise the whole line goes into the street, as typed. The postal
    code stays while the city does; the map position is dropped.
    """
    parts = [part.strip() for part in (line or "").split(",") if part.strip()]
    used = [name for name in ADDRESS_PARTS if current is not None and getattr(current, name)]
    values = dict.fromkeys(ADDRESS_PARTS, "")
    same_shape = bool(used) and len(parts) == len(used)
    if same_shape and "country" in used:
        same_shape = parts[-1].casefold() == current.country.casefold()
    if same_shape:
        values.update(zip(used, parts, strict=True))
    if not same_shape or any(len(values[n]) > limit for n, limit in ADDRESS_LIMITS.items()):
        values = {**dict.fromkeys(ADDRESS_PARTS, ""), "street": ", ".join(parts)[:255]}
    same_city = current is not None and current.city.casefold() == values["city"].casefold()
    values["postal_code"] = current.postal_code if same_city else ""
    values.update(latitude=None, longitude=None)
    return values


def channel_value(field, text, current=None):
    """The fields of a channel row of kind ``field`` holding ``text``."""
    if field == "phone":
        return phone_parts(text)
    if field == "email":
        return {"address": text.strip().lower()}
    if field == "website":
        return {"url": text.strip()}
    return address_parts(text, current)


def channels_with_first_replaced(*, tenant, owner_field, owner, field, text):
    """Every row of the owner's channel kind ``field`` as values, the first one holding
    ``text`` (or a new one when there was none), for ``_save_channels``."""
    key, model = CHANNELS[field]
    rows = list(model.objects.filter(tenant=tenant, **{owner_field: owner}).order_by("id"))
    values = [{name: getattr(row, name) for name in CHANNEL_VALUES[key]} for row in rows]
    new = channel_value(field, text, rows[0] if rows else None)
    if values:
        values[0].update(new)
    else:
        values = [new]
    return key, values


def may_decide(*, tenant, member, firm):
    """Deciding applies the changes to the firm: ``firms.change`` and write access to it."""
    return member.has_perm("firms.change") and can_change_firm(
        tenant=tenant, member=member, firm=firm
    )


def version_of(change):
    """What a decision form carries, so a proposal replaced meanwhile is not decided blind."""
    return int(change.updated_at.timestamp() * 1_000_000)


# Writes -----------------------------------------------------------------------------------


def _checked_changes(portal_user, changes):
    """Refuse a change list that is not what the form makes (unknown fields, a contact's
    field without a contact login, values that are not short text)."""
    checked = []
    for item in changes:
        key = (item.get("target"), item.get("field"))
        if key not in FIELDS or (key[0] == "contact" and portal_user.contact_id is None):
            raise ValidationError(_("Select a valid choice."))
        old, new = str(item.get("old", "")), str(item.get("new", ""))
        if len(old) > 500 or len(new) > 500 or "\x00" in new:
            raise ValidationError(_("A value is too long."))
        _check_value(key, new)
        checked.append({"target": key[0], "field": key[1], "label": str(FIELDS[key]),
                        "old": old, "new": new})  # fmt: skip
    if not checked:
        raise ValidationError(_("You changed nothing: enter the new details you want us to use."))
    return checked


def _check_value(key, value):
    """The form's checks again, for callers other than the form."""
    if not value and key not in MAY_EMPTY:
        raise ValidationError(_("%(label)s cannot be empty.") % {"label": FIELDS[key]})
    if key[1] == "email":
        validate_email(value)
    elif key[1] == "website":
        URLValidator()(value)
    elif key[1] == "phone" and phone_parts(value) is None:
        raise ValidationError(_("The phone number %(value)s cannot be stored.") % {"value": value})


@transaction.atomic
def profile_change_propose(*, tenant, portal_user, changes, message=""):
    """``portal_user`` proposes ``changes``; a proposal of theirs still waiting is replaced."""
    changes = _checked_changes(portal_user, changes)
    message = (message or "").strip()[:MESSAGE_LIMIT]
    PortalUser.objects.select_for_update().filter(tenant=tenant, pk=portal_user.pk).first()
    change = (
        ProfileChange.objects.select_for_update()
        .filter(
            tenant=tenant,
            firm_id=portal_user.firm_id,
            portal_user=portal_user,
            status=ChangeStatus.PENDING,
        )
        .first()
    )
    replaced = change is not None
    if replaced:
        change.changes, change.message = changes, message
        change.save(update_fields=["changes", "message", "updated_at"])
    else:
        change = ProfileChange.objects.create(
            tenant=tenant, firm_id=portal_user.firm_id, portal_user=portal_user,
            contact_id=portal_user.contact_id, changes=changes, message=message,
        )  # fmt: skip
    events.record(
        portal_user=portal_user, kind=PortalEvent.Kind.PROFILE_CHANGE, subject=change,
        summary=", ".join(item["label"] for item in changes),
    )  # fmt: skip
    _tell_staff(tenant=tenant, change=change, portal_user=portal_user, replaced=replaced)
    return change


def _tell_staff(*, tenant, change, portal_user, replaced):
    """The firm's sales representative (else its support representative) hears of it."""
    firm = Firm.objects.select_related("sales_rep__user", "support_rep__user").get(
        tenant=tenant, pk=change.firm_id
    )
    recipient = next(
        (rep for rep in (firm.sales_rep, firm.support_rep) if rep and rep.is_working), None
    )
    if recipient is None:
        return
    path = reverse("portal-changes:detail", args=[tenant.slug, change.pk])
    language = mail.language_for(recipient, tenant)
    with translation.override(language):
        text = (
            _("%(firm)s changed its proposed contact details.")
            if replaced
            else _("%(firm)s proposed changes to its contact details.")
        ) % {"firm": firm.name}
        rows = [{**item, "label": full_label(item)} for item in change.changes]
    notify(tenant=tenant, recipients=[recipient], text=text, url=path, verb="portal.profile_change")
    mail.enqueue_template(
        key=f"portal-profile:{change.pk}:proposed",
        to=[recipient.user.email],
        template="portal_profile_proposed",
        context={
            "recipient_name": recipient.full_name, "firm_name": firm.name,
            "sender": sender(portal_user), "changes": rows, "message": change.message,
            "url": settings.SITE_URL + path,
        },
        tenant=tenant,
        language=language,
    )  # fmt: skip


def _locked_pending(*, tenant, actor, change, version):
    change = (
        ProfileChange.objects.select_for_update(of=("self",))
        .select_related("firm", "contact", "portal_user__contact", "portal_user__firm")
        .get(tenant=tenant, pk=change.pk)
    )
    if not may_decide(tenant=tenant, member=actor, firm=change.firm):
        raise PermissionDenied(_("You cannot change this firm."))
    if change.status != ChangeStatus.PENDING:
        raise ValidationError(_("This proposal has already been decided."))
    if version is None or int(version) != version_of(change):
        raise ValidationError(
            _("The customer changed this proposal meanwhile: check it again before deciding.")
        )
    return change


def _close(*, change, status, actor, note):
    change.status = status
    change.decided_by = actor
    change.decided_at = timezone.now()
    change.decision_note = note
    change.save(update_fields=["status", "decided_by", "decided_at", "decision_note",
                               "updated_at"])  # fmt: skip


def _apply(*, tenant, actor, change):
    """Write the proposal's values through the companies' services (their audit entries)."""
    for target, owner in (("firm", change.firm), ("contact", change.contact)):
        items = [item for item in change.changes if item["target"] == target]
        if not items:
            continue
        if owner is None or (
            target == "contact"
            and not FirmContact.objects.filter(
                tenant=tenant, firm=change.firm, contact=owner
            ).exists()
        ):
            raise ValidationError(_("The contact person is no longer a contact of this firm."))
        data, channels = {}, {}
        for item in items:
            if item["field"] in CHANNELS:
                key, values = channels_with_first_replaced(
                    tenant=tenant, owner_field=target, owner=owner, field=item["field"],
                    text=item["new"],
                )  # fmt: skip
                if any(value is None for value in values):
                    raise ValidationError(_("The phone number %(value)s cannot be stored.")
                                          % {"value": item["new"]})  # fmt: skip
                channels[key] = values
            else:
                data[item["field"]] = item["new"][: 100 if item["field"] != "job_title" else 120]
        if target == "firm":
            firm_update(tenant=tenant, actor=actor.user, firm=owner, data=data, channels=channels)
        else:
            contact_update(
                tenant=tenant, actor=actor.user, contact=owner, data=data, channels=channels
            )


def _firm_event(*, tenant, actor, change, summary):
    audit.record(tenant=tenant, actor=actor.user, instance=change.firm,
                 action=AuditEntry.Action.EVENT, summary=summary)  # fmt: skip


@transaction.atomic
def profile_change_accept(*, tenant, actor, change, version, note=""):
    """``actor`` accepts a pending proposal: its values are applied to the firm and contact."""
    note = (note or "").strip()[:MESSAGE_LIMIT]
    change = _locked_pending(tenant=tenant, actor=actor, change=change, version=version)
    _apply(tenant=tenant, actor=actor, change=change)
    _close(change=change, status=ChangeStatus.ACCEPTED, actor=actor, note=note)
    _firm_event(tenant=tenant, actor=actor, change=change,
                summary=_("Contact details proposed in the portal accepted by %(name)s")
                % {"name": actor.full_name})  # fmt: skip
    _tell_portal_user(tenant=tenant, change=change)
    return change


@transaction.atomic
def profile_change_decline(*, tenant, actor, change, version, reason):
    """``actor`` declines a pending proposal with a ``reason``; nothing else changes."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"note": _("Say why, so the customer knows.")})
    if len(reason) > MESSAGE_LIMIT or "\x00" in reason:
        raise ValidationError({"note": _("The reason is too long.")})
    change = _locked_pending(tenant=tenant, actor=actor, change=change, version=version)
    _close(change=change, status=ChangeStatus.DECLINED, actor=actor, note=reason)
    _firm_event(tenant=tenant, actor=actor, change=change,
                summary=_("Contact details proposed in the portal declined by %(name)s")
                % {"name": actor.full_name})  # fmt: skip
    _tell_portal_user(tenant=tenant, change=change)
    return change


def _tell_portal_user(*, tenant, change):
    portal_user = change.portal_user
    if portal_user is None or portal_user.revoked_at is not None:
        return
    with translation.override(portal_user.language):
        rows = [{**item, "label": full_label(item)} for item in change.changes]
    mail.enqueue_template(
        key=f"portal-profile:{change.pk}:decided",
        to=[portal_user.email],
        template="portal_profile_decided",
        context={
            "name": portal_user.display_name, "tenant_name": tenant.name,
            "firm_name": change.firm.name, "decision": change.status, "note": change.decision_note,
            "changes": rows,
            "url": settings.SITE_URL + reverse("portal:profile", args=[tenant.slug]),
        },
        tenant=tenant,
        language=portal_user.language,
    )  # fmt: skip
