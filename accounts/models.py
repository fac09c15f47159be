"""Tenants, users, employees and their hierarchy, permission profiles, employee documents."""

import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.postgres.fields import ArrayField
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from core.files import generated_path
from core.models import TenantModel
from core.money import CURRENCIES, DEFAULT_CURRENCY

phone_validator = RegexValidator(
    r"^\+?[0-9 ()\-./]{3,30}$", _("Enter a phone number: digits, spaces, + ( ) - . /")
)
TIMEZONE_CHOICES = [(tz, tz) for tz in sorted(zoneinfo.available_timezones())]


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in: global, with one e-mail and one password, in any number of tenants."""

    email = models.EmailField(_("e-mail"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("site administrator"), default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    timezone = models.CharField(
        _("time zone"), max_length=64, choices=TIMEZONE_CHOICES, default="Europe/Istanbul"
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    def __str__(self):
        return self.get_full_name() or self.email

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.email


class Tenant(models.Model):
    """A subscribing company. Everything else in the database belongs to exactly one."""

    name = models.CharField(_("company name"), max_length=200)
    slug = models.SlugField(_("address"), max_length=60, unique=True)
    is_active = models.BooleanField(default=True)
    language = models.CharField(max_length=10, choices=settings.LANGUAGES, default="en")
    created_at = models.DateTimeField(default=timezone.now)
    employees_read_all_firms = models.BooleanField(
        _("employees may read every firm"),
        default=True,
        help_text=_("Otherwise employees see only their own firms and the unassigned pool."),
    )
    # Built-in optional fields the tenant makes required: {"firm": [...], "contact": [...]}.
    required_fields = models.JSONField(default=dict, blank=True)
    currency = models.CharField(
        _("currency"), max_length=3, choices=CURRENCIES, default=DEFAULT_CURRENCY
    )

    def __str__(self):
        return self.name


class Position(models.TextChoices):
    EXECUTIVE = "executive", _("Executive")
    EXECUTIVE_MANAGER = "executive_manager", _("Executive-manager")
    MANAGER = "manager", _("Manager")
    EMPLOYEE = "employee", _("Employee")


MANAGING_POSITIONS = (Position.EXECUTIVE_MANAGER, Position.MANAGER)
ALL_REACHING_POSITIONS = (Position.EXECUTIVE, Position.EXECUTIVE_MANAGER)


class PermissionProfile(TenantModel):
    """A named set of permission codes given to employees (seed 004 "Profile uprawnień")."""

    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=255, blank=True)
    codes = ArrayField(models.CharField(max_length=80), default=list, blank=True)
    default_for = models.CharField(max_length=20, choices=Position.choices, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="profile_unique_name"),
        ]

    def __str__(self):
        return self.name


# The fields a person edits on the employee form (the login e-mail lives on the user).
EMPLOYEE_EDITABLE_FIELDS = (
    "first_name",
    "last_name",
    "work_phone",
    "mobile_phone",
    "department",
    "position",
    "reports_to",
    "profile",
    "firm",
    "start_date",
    "description",
)


class Employee(TenantModel):
    """A user's employment in a tenant: position, department, manager, status."""

    class Status(models.TextChoices):
        WORKING = "working", _("Working")
        DISMISSED = "dismissed", _("Dismissed")
        RESIGNED = "resigned", _("Resigned")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="employments"
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    work_phone = models.CharField(
        _("work phone"), max_length=30, blank=True, validators=[phone_validator]
    )
    mobile_phone = models.CharField(
        _("mobile phone"), max_length=30, blank=True, validators=[phone_validator]
    )
    department = models.ForeignKey(
        "core.Choice",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    position = models.CharField(_("position"), max_length=20, choices=Position.choices)
    reports_to = models.ForeignKey(
        "self",
        verbose_name=_("reports to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    profile = models.ForeignKey(
        PermissionProfile,
        verbose_name=_("permission profile"),
        on_delete=models.PROTECT,
        related_name="employees",
    )
    firm = models.ForeignKey(
        "companies.Firm",
        verbose_name=_("works for"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        help_text=_("Empty: the company itself. A dealer firm's staff work only inside it."),
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.WORKING
    )
    exit_date = models.DateField(_("exit date"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["first_name", "last_name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="employee_unique_user"),
        ]
        indexes = [
            models.Index(fields=["tenant", "first_name", "last_name", "id"]),
            models.Index(fields=["tenant", "status", "first_name"]),
            models.Index(fields=["tenant", "department", "position"]),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_working(self):
        return self.status == self.Status.WORKING

    @property
    def reaches_everything(self):
        return self.position in ALL_REACHING_POSITIONS

    @property
    def is_manager(self):
        return self.position in MANAGING_POSITIONS

    @cached_property
    def permission_codes(self):
        from core.permissions import all_codes

        if self.reaches_everything:
            return frozenset(all_codes())
        return frozenset(self.profile.codes)

    def has_perm(self, code):
        return self.is_working and code in self.permission_codes


class EmployeeNote(TenantModel):
    """The employee's description history: remarks and the reasons for status changes."""

    class Kind(models.TextChoices):
        REMARK = "remark", _("Remark")
        STATUS = "status", _("Status change")

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REMARK)
    text = models.TextField()

    class Meta:
        ordering = ["-created_at", "-id"]


class EmployeeDocument(TenantModel):
    """A file kept on an employee's record (seed 000: photo, identity card, ...)."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        IDENTITY_CARD = "identity_card", _("Identity card")
        RESIDENCE = "residence", _("Residence certificate")
        HEALTH_REPORT = "health_report", _("Health report")
        CRIMINAL_RECORD = "criminal_record", _("Criminal record")
        DIPLOMA = "diploma", _("Diploma")
        OTHER = "other", _("Other")

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    file = models.FileField(upload_to=generated_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    note = models.CharField(_("note"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    replaced_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaces"
    )
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["kind", "-created_at"]
        indexes = [models.Index(fields=["tenant", "employee", "kind"])]

    @property
    def is_current(self):
        return self.removed_at is None and self.replaced_by_id is None
