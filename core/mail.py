"""The e-mail outbox.

Every e-mail is a row of ``OutboxEmail`` written in the transaction of the action that causes
it; nothing talks to an SMTP server inside a web request. After commit the row's id goes to
the broker; the worker delivers it under a row lock, so the same row is sent once however often
it is queued. Many rows at once (``enqueue_many``) are written with one ``INSERT`` and go to the
broker in messages of ``DELIVERY_BATCH`` ids, each delivered over one SMTP connection, row by
row, each under its own lock and transaction (``deliver_many``). Transient SMTP errors retry
with backoff, permanent ones are marked failed, and the beat sweeper re-queues rows that a lost
message or a dead broker left behind.

Delivery is exactly once up to one window: a worker that dies after the SMTP server accepted
a message but before its transaction commits leaves the row pending, and the row is sent
again. Every attempt of a row carries the same ``Message-ID`` (derived from its idempotency
key), so a receiving system can recognise the repeat.
"""

import base64
import hashlib
import logging
import smtplib
import ssl
import uuid
from collections import Counter
from datetime import timedelta
from email import encoders
from email.mime.base import MIMEBase
from email.mime.text import MIMEText
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core.models import OutboxEmail

logger = logging.getLogger("kervan.mail")

MAX_ATTEMPTS = 8
STUCK_AFTER = timedelta(minutes=2)
UNQUEUED_GRACE = timedelta(seconds=5)
RETRY_SLACK = timedelta(seconds=1)
SWEEP_BATCH = 500
# Rows per delivery message: one task, one SMTP connection for them all.
DELIVERY_BATCH = 50


def backoff(attempts):
    """Seconds to wait before attempt ``attempts + 1``: 30 s, 1, 2, 4 ... minutes, at most 1 h."""
    return min(30 * 2 ** max(attempts - 1, 0), 3600)


def enqueue(
    *,
    key,
    to,
    subject,
    body_text,
    body_html="",
    tenant=None,
    from_email=None,
    reply_to=None,
    headers=None,
    attachments=(),
):
    """Write an outbox row (once per ``key``) and queue its delivery after commit.

    ``attachments``: ``(filename, content bytes, mimetype)`` triples, stored with the row.
    """
    fields = _fields(
        to=to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        tenant=tenant,
        from_email=from_email,
        reply_to=reply_to,
        headers=headers,
        attachments=attachments,
    )
    row, created = OutboxEmail.objects.get_or_create(idempotency_key=key, defaults=fields)
    if created:
        transaction.on_commit(lambda: queue(row.pk))
    return row


def _fields(
    *,
    to,
    subject,
    body_text,
    body_html="",
    tenant=None,
    from_email=None,
    reply_to=None,
    headers=None,
    attachments=(),
):
    return {
        "tenant": tenant,
        "from_email": from_email or settings.DEFAULT_FROM_EMAIL,
        "to": list(to),
        "reply_to": list(reply_to or []),
        "subject": " ".join(str(subject).split())[:998],
        "body_text": body_text,
        "body_html": body_html,
        "headers": headers or {},
        "attachments": [_stored(*attachment) for attachment in attachments],
    }


def enqueue_many(messages):
    """Write many outbox rows at once (once per key) and queue them after commit; return the new
    rows.

    ``messages``: dicts of :func:`enqueue`'s keyword arguments. The rows are written with one
    ``INSERT ... ON CONFLICT DO NOTHING`` on the unique idempotency key, in the caller's
    transaction, and after commit they go to the broker in batches (:func:`queue_many`). A key
    that already has a row (or appears twice) makes no second row. Should another transaction
    write the same key between this one's look-up and its insert, that row is counted new here
    and queued twice, which delivery's row lock makes harmless.
    """
    rows = {}
    for message in messages:
        message = dict(message)
        key = message.pop("key")
        if key not in rows:
            rows[key] = OutboxEmail(idempotency_key=key, **_fields(**message))
    if not rows:
        return []
    known = set(
        OutboxEmail.objects.filter(idempotency_key__in=list(rows)).values_list(
            "idempotency_key", flat=True
        )
    )
    fresh = [row for key, row in rows.items() if key not in known]
    if not fresh:
        return []
    OutboxEmail.objects.bulk_create(fresh, ignore_conflicts=True)
    ids = dict(
        OutboxEmail.objects.filter(
            idempotency_key__in=[row.idempotency_key for row in fresh]
        ).values_list("idempotency_key", "pk")
    )
    new = []
    for row in fresh:
        row.pk = ids.get(row.idempotency_key)
        if row.pk is not None:
            row._state.adding = False
            new.append(row)
    if new:
        pks = [row.pk for row in new]
        transaction.on_commit(lambda: queue_many(pks))
    return new


def _stored(filename, content, mimetype):
    if isinstance(content, str):
        content = content.encode()
    return {
        "filename": str(filename),
        "mimetype": mimetype,
        "content": base64.b64encode(content).decode("ascii"),
    }


def language_for(person, tenant):
    """The language of e-mails to the employee ``person``: their own, else the company's."""
    return person.user.language or tenant.language or settings.LANGUAGE_CODE


def render(template, context, language=None):
    """``subject``, ``body_text`` and ``body_html`` of ``email/<template>_subject.txt``, ``.txt``
    and ``.html`` in ``language``, for :func:`enqueue` or :func:`enqueue_many`."""
    with translation.override(language or translation.get_language()):
        context = {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL, **context}
        return {
            "subject": render_to_string(f"email/{template}_subject.txt", context),
            "body_text": render_to_string(f"email/{template}.txt", context),
            "body_html": render_to_string(f"email/{template}.html", context),
        }


def enqueue_template(
    *, key, to, template, context, tenant=None, language=None, attachments=(), headers=None
):
    """Render ``email/<template>_subject.txt``, ``.txt`` and ``.html`` and enqueue the result."""
    return enqueue(
        key=key,
        to=to,
        **render(template, context, language),
        tenant=tenant,
        attachments=attachments,
        headers=headers,
    )


def queue(outbox_id):
    """Hand a row to the broker; if the broker is down the sweeper will do it later."""
    from core.tasks import deliver_email

    # Mark first: once the message is out, the worker may hold the row's lock.
    OutboxEmail.objects.filter(pk=outbox_id).update(queued_at=timezone.now())
    try:
        deliver_email.apply_async((outbox_id,), retry=False)
    except Exception:  # the broker being unreachable must never fail the request
        logger.warning("Broker unavailable; outbox row %s waits for the sweeper", outbox_id)
        OutboxEmail.objects.filter(pk=outbox_id).update(queued_at=None)
        return False
    return True


def queue_many(ids):
    """Hand rows to the broker in messages of ``DELIVERY_BATCH`` ids (one UPDATE marks them all);
    return how many reached it. What the broker does not take waits for the sweeper."""
    from core.tasks import deliver_emails

    ids = list(ids)
    if len(ids) == 1:
        return int(queue(ids[0]))  # a lone row: the single-row task, as before
    if not ids:
        return 0
    OutboxEmail.objects.filter(pk__in=ids).update(queued_at=timezone.now())
    for start in range(0, len(ids), DELIVERY_BATCH):
        try:
            deliver_emails.apply_async((ids[start : start + DELIVERY_BATCH],), retry=False)
        except Exception:  # as in queue(): never fail the caller
            logger.warning(
                "Broker unavailable; %s outbox rows wait for the sweeper", len(ids) - start
            )
            OutboxEmail.objects.filter(pk__in=ids[start:]).update(queued_at=None)
            return start
    return len(ids)


class OutboxBackend(BaseEmailBackend):
    """Django e-mail backend that writes messages to the outbox (used by allauth and Django)."""

    def send_messages(self, email_messages):
        count = 0
        for message in email_messages:
            html = ""
            for content, mimetype in getattr(message, "alternatives", []):
                if mimetype == "text/html":
                    html = content
            enqueue(
                key=f"message:{uuid.uuid4()}",
                to=message.to,
                subject=message.subject,
                body_text=message.body,
                body_html=html,
                from_email=message.from_email,
                reply_to=message.reply_to,
                headers={k: v for k, v in message.extra_headers.items() if k != "Message-ID"},
            )
            count += 1
        return count


def is_transient(exc):
    """SMTP 4xx replies and connection trouble are worth another try.

    5xx replies are not, and neither are configuration errors (no STARTTLS, a bad TLS
    certificate): retrying those for hours would only hide them.
    """
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return any(400 <= code < 500 for code, _msg in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    if isinstance(exc, smtplib.SMTPException | ssl.SSLError):
        return False
    return isinstance(exc, OSError)  # refused, reset, timed out, unreachable


def message_id(row):
    """The same ``Message-ID`` for every attempt of a row (see the module's docstring)."""
    digest = hashlib.sha256(row.idempotency_key.encode()).hexdigest()[:40]
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<{digest}.outbox@{domain}>"


def _attachment_part(item):
    content = base64.b64decode(item["content"])
    maintype, _, subtype = item["mimetype"].partition("/")
    if maintype == "text":
        part = MIMEText(content.decode("utf-8"), subtype or "plain", "utf-8")
        if subtype == "calendar":
            # An invitation: mail programs offer to add it to the calendar.
            part.set_param("method", "REQUEST")
    else:
        part = MIMEBase(maintype or "application", subtype or "octet-stream")
        part.set_payload(content)
        encoders.encode_base64(part)
    part.add_header("Content-Disposition", "attachment", filename=item["filename"])
    return part


def build_message(row, connection):
    headers = {"Message-ID": message_id(row), **row.headers}
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body_text,
        from_email=row.from_email,
        to=row.to,
        cc=row.cc,
        bcc=row.bcc,
        reply_to=row.reply_to,
        headers=headers,
        connection=connection,
    )
    if row.body_html:
        message.attach_alternative(row.body_html, "text/html")
    for item in row.attachments:
        message.attach(_attachment_part(item))
    return message


class Sender:
    """One connection to the delivery backend for a run of rows.

    Opened when the first row needs it and kept open for the next ones. If the server has
    dropped a connection that was already in use (an idle time-out, a ``421``), the row is
    tried once more on a new connection. If opening a connection fails, the rows after it in
    the same run get the same error without another attempt (each records it and backs off as
    if it had tried), so a dead server costs one time-out per run, not one per row.
    """

    def __init__(self):
        self.backend = get_connection(
            settings.OUTBOX_DELIVERY_BACKEND, timeout=settings.EMAIL_TIMEOUT
        )
        self.is_open = False
        self.open_error = None

    def send(self, message):
        if self.open_error is not None:
            raise self.open_error
        reused = self.is_open
        if not self.is_open:
            try:
                self.backend.open()
            except Exception as exc:
                self.open_error = exc
                raise
            self.is_open = True
        message.connection = self.backend
        try:
            message.send()
        except Exception as exc:
            if not _dropped(exc):
                raise  # an answer about this message (4xx, 5xx): the connection stays
            self.close()
            if not reused:
                raise
            self.send(message)  # the server dropped the connection in use: once, afresh

    def close(self):
        if self.is_open:
            self.is_open = False
            try:
                self.backend.close()
            except Exception:  # a dead connection cannot even say QUIT
                if hasattr(self.backend, "connection"):
                    self.backend.connection = None


def _dropped(exc):
    """The connection is gone (not an SMTP reply about the message; those are OSErrors too)."""
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


def deliver(outbox_id):
    """Send one row under a row lock; return its new status (``None``: not due, or locked)."""
    sender = Sender()
    try:
        return _deliver_row(outbox_id, sender)
    finally:
        sender.close()


def deliver_many(ids):
    """Send rows over one connection, each under its own row lock and transaction, exactly as
    :func:`deliver` sends one; return the count of each outcome (``skipped``: not due, or
    locked by another worker)."""
    outcomes = Counter()
    sender = Sender()
    try:
        for outbox_id in ids:
            outcomes[_deliver_row(outbox_id, sender) or "skipped"] += 1
    finally:
        sender.close()
    return dict(outcomes)


def _deliver_row(outbox_id, sender):
    # A retry is due only at its time: an early duplicate message must not skip the backoff
    # (a second of slack for clocks that disagree between worker and database).
    due = Q(status=OutboxEmail.Status.PENDING) | Q(
        status=OutboxEmail.Status.RETRYING, next_attempt_at__lte=timezone.now() + RETRY_SLACK
    )
    with transaction.atomic():
        row = (
            OutboxEmail.objects.select_for_update(skip_locked=True)
            .filter(due, pk=outbox_id)
            .first()
        )
        if row is None:
            return None
        row.attempts += 1
        try:
            sender.send(build_message(row, None))
        except Exception as exc:
            _record_failure(row, exc)
        else:
            row.status = OutboxEmail.Status.SENT
            row.sent_at = timezone.now()
            row.last_error = ""
        row.save(update_fields=["status", "attempts", "sent_at", "last_error", "next_attempt_at"])
    if row.status == OutboxEmail.Status.RETRYING:
        _retry_later(row)
    return row.status


def _record_failure(row, exc):
    row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    if is_transient(exc) and row.attempts < MAX_ATTEMPTS:
        row.status = OutboxEmail.Status.RETRYING
        row.next_attempt_at = timezone.now() + timedelta(seconds=backoff(row.attempts))
        logger.warning("Outbox row %s: transient error, retrying: %s", row.pk, row.last_error)
    else:
        row.status = OutboxEmail.Status.FAILED
        logger.error("Outbox row %s failed: %s", row.pk, row.last_error)


def _retry_later(row):
    from core.tasks import deliver_email

    delay = max((row.next_attempt_at - timezone.now()).total_seconds(), 0)
    try:
        deliver_email.apply_async((row.pk,), countdown=delay, retry=False)
    except Exception:
        logger.warning("Broker unavailable; outbox row %s waits for the sweeper", row.pk)


def sweep():
    """Queue rows that are due.

    That is: retries whose time has come, rows that never reached the broker (it was down),
    and rows queued long ago but still pending (the message was lost with a broker or worker).
    """
    now = timezone.now()
    pending = Q(status=OutboxEmail.Status.PENDING)
    due = (
        Q(status=OutboxEmail.Status.RETRYING, next_attempt_at__lte=now)
        | (pending & Q(queued_at__isnull=True, created_at__lte=now - UNQUEUED_GRACE))
        | (pending & Q(queued_at__lte=now - STUCK_AFTER))
    )
    ids = list(
        OutboxEmail.objects.filter(due)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    return queue_many(ids)  # stops at the first message the broker does not take


def outbox_for(*, tenant, status=""):
    """A tenant's outgoing e-mail, newest first, optionally of one status."""
    rows = OutboxEmail.objects.filter(tenant=tenant)
    if status:
        rows = rows.filter(status=status)
    return rows.defer("body_text", "body_html", "headers").order_by("-created_at")
