"""Writes for the accounts module. Every function is atomic and records its audit entry."""

import time

from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_scopes import scope

from accounts.models import (
    ALL_REACHING_POSITIONS,
    EMPLOYEE_EDITABLE_FIELDS,
    Employee,
    EmployeeDocument,
    EmployeeNote,
    PermissionProfile,
    Position,
    Tenant,
    User,
)
from accounts.tokens import invitation_token
from core import audit, choices, mail
from core.models import AuditEntry, Choice
from core.permissions import all_codes, default_codes

# Every field whose changes go into the history.
EMPLOYEE_FIELDS = (*EMPLOYEE_EDITABLE_FIELDS, "status", "exit_date")


# Letters that Unicode decomposition does not reduce to ASCII.
TRANSLITERATE = str.maketrans(
    {"ı": "i", "İ": "I", "ø": "o", "Ø": "O", "ß": "ss", "ł": "l", "Ł": "L"}
)


def _unique_slug(name):
    base = slugify(name.translate(TRANSLITERATE))[:50].strip("-") or "company"
    slug, n = base, 1
    while Tenant.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def tenant_create(*, name, language="en"):
    """A new tenant with its default lists and permission profiles."""
    tenant = Tenant.objects.create(name=name.strip(), slug=_unique_slug(name), language=language)
    with scope(tenant=tenant.pk):
        choices.ensure_defaults(tenant=tenant, language=language)
        profiles_ensure_defaults(tenant=tenant, language=language)
    return tenant


def profiles_ensure_defaults(*, tenant, language="en"):
    position_labels = choices.labels(tenant=tenant, key="position")
    for position in Position:
        codes = all_codes() if position in ALL_REACHING_POSITIONS else default_codes(position)
        PermissionProfile.objects.get_or_create(
            tenant=tenant,
            default_for=position,
            defaults={"name": position_labels.get(position, position), "codes": sorted(codes)},
        )


def default_profile(*, tenant, position):
    return PermissionProfile.objects.filter(tenant=tenant, default_for=position).first()


@transaction.atomic
def tenant_signup(*, user, company_name, first_name, last_name, language="en"):
    """Sign-up: the company becomes a tenant and the person its first executive."""
    user.first_name, user.last_name = first_name, last_name
    user.save(update_fields=["first_name", "last_name"])
    tenant = tenant_create(name=company_name, language=language)
    with scope(tenant=tenant.pk):
        employee = Employee.objects.create(
            tenant=tenant,
            user=user,
            first_name=first_name,
            last_name=last_name,
            position=Position.EXECUTIVE,
            profile=default_profile(tenant=tenant, position=Position.EXECUTIVE),
            department=Choice.objects.filter(
                tenant=tenant, list_key="department", code="management"
            ).first(),
        )
        audit.record(
            tenant=tenant,
            actor=user,
            instance=employee,
            action=AuditEntry.Action.CREATE,
            summary=_("Signed up the company"),
        )
    return tenant, employee


def _check_references(*, tenant, employee, data):
    """Refuse foreign keys into other tenants and a reports-to loop."""
    for name in ("department", "reports_to", "profile", "firm"):
        value = data.get(name)
        if value is not None and value.tenant_id != tenant.pk:
            raise ValidationError({name: _("Select a valid choice.")})
    department = data.get("department")
    if department is not None and department.list_key != "department":
        raise ValidationError({"department": _("Select a valid choice.")})
    manager = data.get("reports_to")
    seen = set()
    while manager is not None and employee is not None:
        if manager.pk == employee.pk:
            raise ValidationError({"reports_to": _("An employee cannot report to themselves.")})
        if manager.pk in seen:
            break
        seen.add(manager.pk)
        manager = manager.reports_to


@transaction.atomic
def employee_create(*, tenant, actor, email, **data):
    """Add an employee and send the invitation to set a password (through the outbox)."""
    email = User.objects.normalize_email(email).lower()
    _check_references(tenant=tenant, employee=None, data=data)
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, first_name=data["first_name"], last_name=data["last_name"]
        )
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    elif Employee.objects.filter(tenant=tenant, user=user).exists():
        raise ValidationError({"email": _("This person is already an employee here.")})
    if data.get("profile") is None:
        data["profile"] = default_profile(tenant=tenant, position=data["position"])
    employee = Employee.objects.create(tenant=tenant, user=user, created_by=actor, **data)
    audit.record(
        tenant=tenant,
        actor=actor,
        instance=employee,
        action=AuditEntry.Action.CREATE,
        changes=audit.diff({}, audit.snapshot(employee, EMPLOYEE_FIELDS)),
    )
    employee_invite(tenant=tenant, actor=actor, employee=employee)
    return employee


def employee_invite(*, tenant, actor, employee):
    """Queue the invitation e-mail: a one-time link to set a password, never a password."""
    user = employee.user
    needs_password = not user.has_usable_password()
    token = invitation_token.make_token(user) if needs_password else ""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    with transaction.atomic():
        # One invitation per employee and second: a double click does not send two.
        mail.enqueue_template(
            key=f"invitation:{tenant.pk}:{employee.pk}:{int(time.time())}",
            to=[user.email],
            template="invitation",
            context={
                "tenant_name": tenant.name,
                "employee_name": employee.full_name,
                "inviter_name": actor.get_full_name() if actor else "",
                "needs_password": needs_password,
                "uid": uid,
                "token": token,
                "tenant_slug": tenant.slug,
            },
            tenant=tenant,
            language=user.language or tenant.language,
        )
        audit.record(
            tenant=tenant,
            actor=actor,
            instance=employee,
            action=AuditEntry.Action.EVENT,
            summary=_("Invitation sent to %(email)s") % {"email": user.email},
        )


@transaction.atomic
def invitation_accept(*, user, password):
    """Set the invited person's password; the e-mail address is verified by the link."""
    user.set_password(password)
    user.is_active = True
    user.save(update_fields=["password", "is_active"])
    EmailAddress.objects.filter(user=user, email__iexact=user.email).update(verified=True)
    return user


@transaction.atomic
def employee_update(*, tenant, actor, employee, email=None, **data):
    """Change an employee's fields; each changed field goes into the history."""
    _check_references(tenant=tenant, employee=employee, data=data)
    employee = Employee.objects.select_for_update().get(pk=employee.pk, tenant=tenant)
    before = audit.snapshot(employee, EMPLOYEE_FIELDS)
    changes = []
    if email is not None:
        changes += _change_login_email(tenant=tenant, employee=employee, email=email)
    for name, value in data.items():
        setattr(employee, name, value)
    employee.full_clean(exclude=["user", "tenant", "profile", "department", "reports_to"])
    employee.save()
    changes = audit.diff(before, audit.snapshot(employee, EMPLOYEE_FIELDS)) + changes
    audit.record(
        tenant=tenant,
        actor=actor,
        instance=employee,
        action=AuditEntry.Action.UPDATE,
        changes=changes,
    )
    return employee


def _change_login_email(*, tenant, employee, email):
    """The login may change only before the person first logs in, and only here."""
    user = employee.user
    email = User.objects.normalize_email(email).lower()
    if email == user.email:
        return []
    if user.last_login is not None or user.employments.exclude(tenant=tenant).exists():
        raise ValidationError(
            {"email": _("This person has already logged in; only they can change their e-mail.")}
        )
    if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise ValidationError({"email": _("Another account already uses this e-mail.")})
    old = user.email
    user.email = email
    user.save(update_fields=["email"])
    EmailAddress.objects.filter(user=user).delete()
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    return [{"field": "email", "old": old, "new": email}]


@transaction.atomic
def employee_set_status(*, tenant, actor, employee, status, exit_date, reason):
    """Working, dismissed or resigned; leaving disables the login and ends open sessions."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the change.")})
    if status != Employee.Status.WORKING and exit_date is None:
        raise ValidationError({"exit_date": _("Give the exit date.")})
    if actor is not None and employee.user_id == actor.pk and status != Employee.Status.WORKING:
        raise ValidationError({"status": _("You cannot end your own employment.")})
    employee = employee_update(
        tenant=tenant,
        actor=actor,
        employee=employee,
        status=status,
        exit_date=exit_date if status != Employee.Status.WORKING else None,
    )
    EmployeeNote.objects.create(
        tenant=tenant,
        employee=employee,
        author=actor,
        kind=EmployeeNote.Kind.STATUS,
        text=f"{employee.get_status_display()}: {reason.strip()}",
    )
    user = employee.user
    if status == Employee.Status.WORKING:
        if not user.is_active:
            user.is_active = True
            user.save(update_fields=["is_active"])
        return employee
    if not user.employments.exclude(pk=employee.pk).filter(status=Employee.Status.WORKING).exists():
        user.is_active = False
        user.save(update_fields=["is_active"])
    for session in UserSession.objects.filter(user=user):
        session.end()
    return employee


@transaction.atomic
def employee_note_add(*, tenant, actor, employee, text):
    if not text.strip():
        raise ValidationError({"text": _("Write something first.")})
    return EmployeeNote.objects.create(
        tenant=tenant, employee=employee, author=actor, text=text.strip()
    )


@transaction.atomic
def document_upload(*, tenant, actor, employee, kind, upload, original_name, content_type, note=""):
    """Store a document; an existing current one of a single-copy kind is replaced."""
    document = EmployeeDocument(
        tenant=tenant,
        employee=employee,
        kind=kind,
        original_name=original_name,
        content_type=content_type,
        size=upload.size,
        note=note,
        uploaded_by=actor,
    )
    document.file.save(original_name, upload, save=False)
    document.save()
    audit.record(
        tenant=tenant,
        actor=actor,
        instance=employee,
        action=AuditEntry.Action.EVENT,
        summary=_("Document uploaded: %(kind)s, %(name)s")
        % {"kind": document.get_kind_display(), "name": original_name},
    )
    return document


@transaction.atomic
def document_replace(*, tenant, actor, document, upload, original_name, content_type):
    new = document_upload(
        tenant=tenant,
        actor=actor,
        employee=document.employee,
        kind=document.kind,
        upload=upload,
        original_name=original_name,
        content_type=content_type,
        note=document.note,
    )
    document.replaced_by = new
    document.save(update_fields=["replaced_by", "updated_at"])
    return new


@transaction.atomic
def document_remove(*, tenant, actor, document):
    """Take a document off the record; the file stays in the history."""
    document.removed_at = timezone.now()
    document.removed_by = actor
    document.save(update_fields=["removed_at", "removed_by", "updated_at"])
    audit.record(
        tenant=tenant,
        actor=actor,
        instance=document.employee,
        action=AuditEntry.Action.EVENT,
        summary=_("Document removed: %(kind)s, %(name)s")
        % {"kind": document.get_kind_display(), "name": document.original_name},
    )
    return document


def _clean_codes(codes):
    known = all_codes()
    unknown = set(codes) - known
    if unknown:
        raise ValidationError({"codes": _("Unknown permission codes.")})
    return sorted(set(codes))


@transaction.atomic
def profile_save(*, tenant, actor, profile=None, name, description, codes):
    """Create or change a permission profile."""
    name = name.strip()
    clash = PermissionProfile.objects.filter(tenant=tenant, name__iexact=name)
    if profile is not None:
        clash = clash.exclude(pk=profile.pk)
    if clash.exists():
        raise ValidationError({"name": _("A profile with this name exists already.")})
    action = AuditEntry.Action.UPDATE if profile else AuditEntry.Action.CREATE
    profile = profile or PermissionProfile(tenant=tenant)
    before = {
        "name": profile.name,
        "description": profile.description,
        "codes": ", ".join(profile.codes),
    }
    profile.name, profile.description, profile.codes = name, description, _clean_codes(codes)
    profile.save()
    after = {
        "name": profile.name,
        "description": profile.description,
        "codes": ", ".join(profile.codes),
    }
    audit.record(
        tenant=tenant,
        actor=actor,
        instance=profile,
        action=action,
        changes=audit.diff(before, after),
    )
    return profile


@transaction.atomic
def profile_delete(*, tenant, actor, profile):
    if profile.employees.exists() or profile.default_for:
        raise ValidationError(_("This profile is in use and cannot be deleted."))
    audit.record(
        tenant=tenant,
        actor=actor,
        instance=profile,
        action=AuditEntry.Action.DELETE,
        summary=profile.name,
    )
    profile.delete()


@transaction.atomic
def choice_save(
    *, tenant, actor, list_key, choice=None, label, order, colour, is_active, flags=None,
    number=None,
):  # fmt: skip
    """Create or change an entry of a Settings list."""
    spec = choices.get_list(list_key)
    if spec is None:
        raise ValidationError(_("Unknown list."))
    if choice is None:
        if spec.fixed:
            raise ValidationError(_("Entries cannot be added to this list."))
        choice = Choice(
            tenant=tenant,
            list_key=list_key,
            code=choices.new_code(tenant=tenant, key=list_key, label=label),
        )
        action = AuditEntry.Action.CREATE
    else:
        action = AuditEntry.Action.UPDATE
    fields = ("label", "order", "colour", "is_active", "flags", "number")
    before = audit.snapshot(choice, fields) if choice.pk else {}
    choice.label, choice.order, choice.colour, choice.is_active = label, order, colour, is_active
    if flags is not None:
        known = {flag for flag, _label in spec.flags}
        choice.flags = [flag for flag in flags if flag in known]
    choice.number = number if spec.number else None
    choice.save()
    audit.record(
        tenant=tenant,
        actor=actor,
        instance=choice,
        action=action,
        changes=audit.diff(before, audit.snapshot(choice, fields)),
    )
    return choice


@transaction.atomic
def tenant_settings_save(*, tenant, actor, data):
    """The company's own settings: its name, language, currency and how far employees read."""
    fields = ["name", "language", "currency", "employees_read_all_firms"]
    before = audit.snapshot(tenant, fields)
    for name in fields:
        setattr(tenant, name, data[name])
    tenant.save(update_fields=fields)
    audit.record(
        tenant=tenant, actor=actor, instance=tenant, action=AuditEntry.Action.UPDATE,
        changes=audit.diff(before, audit.snapshot(tenant, fields)),
    )  # fmt: skip
    return tenant


@transaction.atomic
def user_set_preferences(*, user, language=None, time_zone=None):
    fields = []
    if language is not None:
        user.language = language
        fields.append("language")
    if time_zone is not None:
        user.timezone = time_zone
        fields.append("timezone")
    if fields:
        user.save(update_fields=fields)
    return user
