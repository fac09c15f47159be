"""Order requests (seed 003): a firm fills in a form the company designed
(``portal.services.request_forms``) and the request is followed up.

A request keeps its answers as the form was when it was sent (``label``, ``value`` and
``display``), so changing or switching off a form never changes a request already sent.

Sending a request writes, in one transaction: the request, exactly one follow-up activity, one
e-mail to the person who follows up (key ``order-request:<id>``), an in-app notification, a
portal event on the firm's timeline and an audit entry on the firm.

Who follows up (the first that applies): the firm's sales representative; its sales support
representative; the employee who designed the form; the first executive. A person counts only
while working here and while they can see the firm.

Double submits: the portal page carries a one-time token kept in the session
(``portal.views.requests``). Behind it, the sender's login row is locked and a request with the
same form and the same answers from the same login within ``DUPLICATE_SECONDS`` is returned
instead of writing a second one, so even two simultaneous clicks make one request.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accounts.models import ALL_REACHING_POSITIONS, Employee
from agenda import lists
from agenda.services.activities import activity_create
from catalogue.selectors import sellable_products
from companies.models import FirmContact
from companies.selectors.firms import visible_firms
from core import audit, choices, mail
from core.models import AuditEntry
from core.notifications import notify
from portal import events
from portal.models import OrderRequest, OrderRequestForm, PortalEvent, PortalUser

DUPLICATE_SECONDS = 10
WORK_START, WORK_END = 9, 18  # the follow-up is due in the next working hour
FOLLOW_UP_MINUTES = 30
FOLLOW_UP_TYPES = ("todo", "call")  # preferred activity types, from the agenda's list


@transaction.atomic
def order_request_submit(*, tenant, portal_user, form, answers):
    """Send ``form`` filled in with ``answers`` (``{field key: cleaned value}``).

    Returns the request: a new one, or the same one again for a repeat within
    ``DUPLICATE_SECONDS`` (see the module's docstring).
    """
    portal_user = (
        PortalUser.objects.select_for_update(of=("self",))
        .select_related("firm", "contact")
        .get(tenant=tenant, pk=portal_user.pk)
    )
    if not portal_user.may_log_in():
        raise PermissionDenied
    form = OrderRequestForm.objects.filter(tenant=tenant, pk=form.pk, is_active=True).first()
    if form is None:
        raise ValidationError(_("This form is no longer offered."))
    entries = answer_entries(tenant=tenant, form=form, answers=answers)
    since = timezone.now() - timedelta(seconds=DUPLICATE_SECONDS)
    repeat = (
        OrderRequest.objects.filter(
            tenant=tenant,
            form=form,
            portal_user=portal_user,
            answers=entries,
            created_at__gte=since,
        )
        .order_by("-created_at")
        .first()
    )
    if repeat is not None:
        return repeat
    firm = portal_user.firm
    request = OrderRequest.objects.create(
        tenant=tenant, form=form, firm=firm, portal_user=portal_user, answers=entries
    )
    person = follow_up_person(tenant=tenant, firm=firm, form=form)
    request.activity = _follow_up(
        tenant=tenant, request=request, person=person, portal_user=portal_user
    )
    request.save(update_fields=["activity", "updated_at"])
    _tell(tenant=tenant, request=request, person=person, portal_user=portal_user)
    summary = _("Order request: %(form)s") % {"form": form.name}
    events.record(
        portal_user=portal_user, kind=PortalEvent.Kind.ORDER_REQUEST, subject=request,
        summary=summary,
    )  # fmt: skip
    audit.record(
        tenant=tenant, actor=None, instance=firm, action=AuditEntry.Action.EVENT,
        summary=_("%(summary)s, sent by %(who)s in the portal; follow-up: %(person)s")
        % {"summary": summary, "who": portal_user.display_name, "person": person.full_name},
    )  # fmt: skip
    return request


def answer_entries(*, tenant, form, answers):
    """The stored answers: one entry per field of ``form``, checked again here."""
    entries = []
    for spec in form.fields:
        value = answers.get(spec["key"])
        missing = not value if spec["kind"] == "yesno" else value in (None, "")
        if missing and spec.get("required"):
            raise ValidationError({spec["key"]: _("This field is required.")})
        stored, display = _stored(tenant=tenant, spec=spec, value=value)
        entries.append(
            {
                "key": spec["key"],
                "label": spec["label"],
                "kind": spec["kind"],
                "value": stored,
                "display": display,
            }
        )
    return entries


def _stored(*, tenant, spec, value):
    """``(JSON value, display text)`` of one answer; refuses values the field cannot have."""
    kind = spec["kind"]
    if kind == "yesno":
        return bool(value), "yes" if value else "no"
    if value in (None, ""):
        return None, ""
    if kind == "product":
        product = sellable_products(tenant=tenant).filter(pk=getattr(value, "pk", None)).first()
        if product is None:
            raise ValidationError({spec["key"]: _("Choose one of the products offered.")})
        return product.pk, f"{product.code} · {product.name}"
    if kind == "number":
        if not isinstance(value, Decimal) or value < 0:
            raise ValidationError({spec["key"]: _("Enter a number of zero or more.")})
        text = format(value.normalize(), "f")
        return text, text
    if kind == "date":
        if not isinstance(value, date) or value < timezone.localdate():
            raise ValidationError({spec["key"]: _("The date lies in the past.")})
        return value.isoformat(), value.isoformat()
    if kind == "choice" and value not in spec.get("choices", []):
        raise ValidationError({spec["key"]: _("Select a valid choice.")})
    return str(value), str(value)


def answer_text(entry):
    """An answer as a person reads it, in the active language."""
    if entry.get("kind") == "yesno":
        return _("Yes") if entry.get("value") else _("No")
    return entry.get("display") or "—"


def follow_up_person(*, tenant, firm, form):
    """Who follows up a request of ``firm`` (see the module's docstring for the order)."""
    creator = None
    if form.created_by_id:
        creator = Employee.objects.filter(tenant=tenant, user_id=form.created_by_id).first()
    executives = Employee.objects.filter(
        tenant=tenant, status=Employee.Status.WORKING, position__in=ALL_REACHING_POSITIONS
    ).order_by("pk")[:20]
    for person in (firm.sales_rep, firm.support_rep, creator, *executives):
        if person is None or not person.is_working:
            continue
        if visible_firms(tenant=tenant, member=person).filter(pk=firm.pk).exists():
            return person
    raise ValidationError(_("Nobody can take this request at the moment. Please call us."))


def follow_up_start(*, now, zone):
    """The start of the next full working hour (09:00-18:00, Monday to Friday) in ``zone``."""
    local = now.astimezone(zone)
    start = local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    day = start.date()
    if start.hour >= WORK_END:
        day, start = day + timedelta(days=1), None
    elif start.hour < WORK_START:
        start = None
    while day.weekday() >= 5:
        day, start = day + timedelta(days=1), None
    if start is None:
        start = datetime.combine(day, time(WORK_START), tzinfo=zone)
    return start


def _zone(person):
    try:
        return ZoneInfo(person.user.timezone or settings.TIME_ZONE)
    except (KeyError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def _follow_up_type(tenant):
    types = list(choices.options(tenant=tenant, key="activity_type"))
    on_start = [t for t in types if lists.ON_START_PAGE in (t.flags or [])]
    for code in FOLLOW_UP_TYPES:
        for entry in on_start:
            if entry.code == code:
                return entry
    if on_start or types:
        return (on_start or types)[0]
    raise ValidationError(_("The agenda has no activity types."))


def _staff_url(tenant, request):
    return reverse("order-requests:detail", args=[tenant.slug, request.pk])


def subject_of(request):
    return (_("Order request: %(form)s — %(firm)s") % {
        "form": request.form.name, "firm": request.firm.name,
    })[:200]  # fmt: skip


def _follow_up(*, tenant, request, person, portal_user):
    """The one follow-up activity, written as the person who follows up."""
    start = follow_up_start(now=timezone.now(), zone=_zone(person))
    with translation.override(mail.language_for(person, tenant)):
        lines = [
            _("Sent by %(who)s (%(firm)s) in the customer portal.")
            % {"who": portal_user.display_name, "firm": request.firm.name},
            "",
            *(f"{entry['label']}: {answer_text(entry)}" for entry in request.answers),
            "",
            settings.SITE_URL + _staff_url(tenant, request),
        ]
        data = {
            "type": _follow_up_type(tenant),
            "subject": subject_of(request),
            "description": "\n".join(lines),
            "firm": request.firm,
            "assigned_to": person,
            "start": start,
            "end": start + timedelta(minutes=FOLLOW_UP_MINUTES),
        }
    contacts = []
    contact_id = portal_user.contact_id
    if (
        contact_id
        and FirmContact.objects.filter(
            tenant=tenant, firm=request.firm, contact_id=contact_id
        ).exists()
    ):
        contacts = [portal_user.contact]
    return activity_create(
        tenant=tenant, actor=person, data=data, contacts=contacts, confirm_clash=True
    )


def _tell(*, tenant, request, person, portal_user):
    """The e-mail and the in-app notification to the person who follows up."""
    language = mail.language_for(person, tenant)
    path = _staff_url(tenant, request)
    with translation.override(language):
        answers = [(entry["label"], answer_text(entry)) for entry in request.answers]
        due = formats.date_format(
            timezone.localtime(request.activity.start, _zone(person)), "SHORT_DATETIME_FORMAT"
        )
        text = _("%(firm)s sent an order request (%(form)s).") % {
            "firm": request.firm.name, "form": request.form.name,
        }  # fmt: skip
    notify(tenant=tenant, recipients=[person], text=text, url=path, verb="order_request.new")
    mail.enqueue_template(
        key=f"order-request:{request.pk}",
        to=[person.user.email],
        template="portal_order_request",
        context={
            "recipient_name": person.full_name,
            "firm_name": request.firm.name,
            "form_name": request.form.name,
            "sender_name": "" if portal_user.is_firm_login else portal_user.display_name,
            "sender_email": portal_user.email,
            "answers": answers,
            "url": settings.SITE_URL + path,
            "due": due,
        },
        tenant=tenant,
        language=language,
    )
