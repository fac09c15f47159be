"""Sending documents from the firm page: the form, the service, the worker's task, the signed
links, the firm's tab and timeline, the dispatch page (docs/documents-dispatch.md)."""

import re
import subprocess
import threading
import time
from datetime import timedelta
from types import SimpleNamespace
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail as django_mail
from django.core import signing
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from companies.models import Firm
from companies.models.firms import FirmStatus
from core import mail
from core.models import AuditEntry, Notification, OutboxEmail
from documents import links, sources
from documents import timeline as dispatch_timeline
from documents.forms.dispatch import default_texts
from documents.models import ContactCard, Dispatch, DispatchItem, DispatchRecipient, LinkOpening
from documents.rendering import render_pdf
from documents.selectors import dispatch as selectors
from documents.services.dispatch_prepare import dispatch_prepare
from documents.tasks import prepare_dispatch
from tests.helpers import ALLOWED, HOSTILE, give_profile, make_firm
from tests.matrix.documents_dispatch import PDF, make_contact, make_template, send

FIRM_NAME = "Çağlayan Şişe Ürünleri"
HTML = "<h1>{{ firm_name }}</h1><p>{{ contact_name }} · {{ employee_name }}</p>"


def pdf_text(content):
    return subprocess.run(
        ["pdftotext", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


def durl(world, name, *args):
    return reverse(f"documents:{name}", args=[world.tenant.slug, *args])


def create_url(world, firm, **params):
    query = "&".join(f"{key}={value}" for key, value in {"firm": firm.pk, **params}.items())
    return f"{durl(world, 'dispatch-create')}?{query}"


def counts():
    with scopes_disabled():
        return (
            Dispatch.objects.count(),
            DispatchRecipient.objects.count(),
            DispatchItem.objects.count(),
        )


def prepare(dispatch):
    return prepare_dispatch(dispatch_id=dispatch.pk, tenant_id=dispatch.tenant_id)


def reload(model, pk):
    with scopes_disabled():
        return model.objects.get(pk=pk)


@pytest.fixture
def s(world):
    """A firm with two reachable contacts (Turkish, English), one without e-mail, and templates."""
    firm = make_firm(world, FIRM_NAME, sales_rep=world.employee)
    ayse = make_contact(
        world,
        firm,
        "Ayşe",
        "Yılmaz",
        email="ayse@example.com",
        languages=[{"language": "Turkish", "level": "native"}],
    )
    can = make_contact(
        world,
        firm,
        "Can",
        "Demir",
        email="can@example.com",
        languages=[{"language": "English", "level": "fluent"}],
    )
    mute = make_contact(world, firm, "Sessiz", "Kişi")
    html = make_template(world.tenant, "Tanıtım sayfası", html=HTML, language="tr")
    file = make_template(world.tenant, "Katalog 2025", content=PDF, filename="katalog.pdf")
    return SimpleNamespace(
        firm=Firm.objects.with_scopes_disabled().get(pk=firm.pk),
        ayse=ayse,
        can=can,
        mute=mute,
        html=html,
        file=file,
    )


def post_data(s, **overrides):
    data = {
        "kind": "brochure",
        "contacts": [s.ayse.pk, s.can.pk],
        "templates": [s.html.pk, s.file.pk],
        "subject": "Our brochure",
        "message": "Please have a look.",
    }
    data.update(overrides)
    return data


# --- the form ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_form_offers_only_the_firms_contacts_with_an_email(client, world, s):
    other = make_firm(world, "Another Firm")
    make_contact(world, other, "Stranger", "Elsewhere", email="stranger@example.com")
    client.force_login(world.employee.user)
    page = client.get(create_url(world, s.firm))
    assert page.status_code == 200
    assert "Ayşe Yılmaz — ayse@example.com" in page.text
    assert "can@example.com" in page.text
    assert "Sessiz" not in page.text
    assert "stranger@example.com" not in page.text
    # The primary contact (the first one) is ticked.
    assert re.search(rf'value="{s.ayse.pk}"[^>]*checked', page.text)


@pytest.mark.django_db
def test_the_kind_brings_its_documents_and_words(client, world, other_world, s):
    make_template(world.tenant, "Old brochure", active=False)
    make_template(world.tenant, "A contract", kind="contract")
    make_template(other_world.tenant, "Foreign brochure")
    client.force_login(world.employee.user)
    target = f"{durl(world, 'dispatch-kind-fields')}?firm={s.firm.pk}&kind=brochure"
    fragment = client.get(target, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "Tanıtım sayfası" in fragment.text and "Katalog 2025" in fragment.text
    for absent in ("Old brochure", "A contract", "Foreign brochure", "<html"):
        assert absent not in fragment.text
    assert world.tenant.name in fragment.text  # the subject names the company
    assert world.employee.full_name in fragment.text  # the message is signed
    # Written in the firm's language: its primary contact's (Turkish), else the tenant's.
    with scope(tenant=world.tenant.pk):
        assert selectors.firm_language(tenant=world.tenant, firm=s.firm) == "tr"
        assert selectors.contact_language(s.can) == "en"
        s.firm.primary_contact = s.mute
        assert selectors.firm_language(tenant=world.tenant, firm=s.firm) == world.tenant.language
    expected, _message = default_texts(
        kind="brochure", language="tr", company=world.tenant.name, sender=world.employee.full_name
    )
    assert expected in fragment.text
    assert client.get(target.replace("kind=brochure", "kind=nonsense")).status_code == 200
    assert client.get(f"{durl(world, 'dispatch-kind-fields')}?firm=x").status_code == 404


@pytest.mark.django_db
def test_without_a_firm_the_form_asks_for_one(client, world, s):
    client.force_login(world.employee.user)
    page = client.get(durl(world, "dispatch-create"))
    assert page.status_code == 200 and 'id="dispatch-firm-form"' in page.text
    assert client.get(durl(world, "dispatch-create") + "?firm=abc").status_code == 404
    assert client.post(durl(world, "dispatch-create"), post_data(s)).status_code == 404


@pytest.mark.django_db
def test_sending_records_everything_and_moves_the_firm_to_in_talks(client, world, s):
    client.force_login(world.employee.user)
    response = client.post(create_url(world, s.firm), post_data(s))
    assert response.status_code == 302
    with scope(tenant=world.tenant.pk):
        dispatch = Dispatch.objects.get()
        assert response["Location"] == durl(world, "dispatch-detail", dispatch.pk)
        assert (dispatch.firm, dispatch.kind, dispatch.sent_by) == (
            s.firm,
            "brochure",
            world.employee,
        )
        assert sorted(dispatch.recipients.values_list("email", flat=True)) == [
            "ayse@example.com",
            "can@example.com",
        ]
        items = list(dispatch.items.order_by("id"))
        # In the order the form lists them (by name).
        assert [i.title for i in items] == ["Katalog 2025", "Tanıtım sayfası"]
        assert items[1].version == s.html.current_version and not items[1].file
        assert items[0].original_name == "katalog.pdf" and items[0].size == len(PDF)
        entry = AuditEntry.objects.get(subject_type="documents.dispatch", subject_id=dispatch.pk)
        assert entry.actor == world.employee.user and "ayse@example.com" in entry.summary
        firm = Firm.objects.get(pk=s.firm.pk)
    assert firm.status == FirmStatus.IN_TALKS
    page = client.get(response["Location"])
    assert "Our brochure" in page.text and "Preparing" in page.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "start", "expected"),
    [
        ("contract", FirmStatus.FIRST_CONTACT, FirmStatus.FIRST_CONTACT),
        ("brochure", FirmStatus.POTENTIAL_CUSTOMER, FirmStatus.POTENTIAL_CUSTOMER),
        ("film", FirmStatus.FIRST_CONTACT, FirmStatus.IN_TALKS),
    ],
)
def test_status_moves_only_for_material_sent_in_first_contact(world, s, kind, start, expected):
    Firm.objects.with_scopes_disabled().filter(pk=s.firm.pk).update(status=start)
    template = make_template(world.tenant, f"A {kind}", kind=kind)
    send(world, s.firm, [s.ayse], [template], kind=kind)
    assert reload(Firm, s.firm.pk).status == expected


@pytest.mark.django_db
def test_foreign_and_unfit_choices_are_form_errors(client, world, other_world, s):
    other_firm = make_firm(world, "Other Firm")
    stranger = make_contact(world, other_firm, "Stranger", email="stranger@example.com")
    foreign_firm = make_firm(other_world, "Foreign Firm")
    foreigner = make_contact(other_world, foreign_firm, "Foreigner", email="f@example.com")
    foreign_template = make_template(other_world.tenant, "Foreign brochure")
    contract = make_template(world.tenant, "A contract", kind="contract")
    inactive = make_template(world.tenant, "Old brochure", active=False)
    client.force_login(world.executive.user)
    cases = [
        ({"contacts": [stranger.pk]}, "contacts"),
        ({"contacts": [s.ayse.pk, foreigner.pk]}, "contacts"),
        ({"contacts": [s.mute.pk]}, "contacts"),
        ({"contacts": []}, "contacts"),
        ({"templates": [foreign_template.pk]}, "templates"),
        ({"templates": [contract.pk]}, "templates"),
        ({"templates": [inactive.pk]}, "templates"),
        ({"templates": []}, "templates"),
        ({"kind": "contact_card", "templates": []}, "kind"),  # no contact card yet
        ({"kind": "contact_card"}, "templates"),
        ({"subject": " \r\n "}, "subject"),
    ]
    for overrides, field in cases:
        response = client.post(create_url(world, s.firm), post_data(s, **overrides))
        assert response.status_code == 400, overrides
        assert response.context["form"].errors.get(field), (overrides, response.context["form"])
    assert counts() == (0, 0, 0)
    assert reload(Firm, s.firm.pk).status == FirmStatus.FIRST_CONTACT


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["kind", "contacts", "templates", "subject", "message"])
def test_hostile_input_never_breaks_the_form(client, world, s, field):
    client.force_login(world.executive.user)
    for value in HOSTILE:
        response = client.post(create_url(world, s.firm), post_data(s, **{field: value}))
        assert response.status_code in ALLOWED, (field, value[:30])
        with scopes_disabled():
            made = list(Dispatch.objects.all())
            if response.status_code != 302:
                assert made == [], (field, value[:30])
                continue
            [dispatch] = made
            assert "\r" not in dispatch.subject and "\n" not in dispatch.subject
            assert dispatch.recipients.count() == 2 and dispatch.items.count() == 2
            dispatch.delete()
    for params in ("firm=%00", "firm=99999999999999999999999", "firm=1&source=x" * 50):
        response = client.get(f"{durl(world, 'dispatch-create')}?{params}")
        assert response.status_code in ALLOWED


@pytest.mark.django_db
def test_rights_send_permission_and_reading_the_firm(client, world, s):
    give_profile(world, world.employee, "No sending", ["firms.view", "documents.view"])
    client.force_login(world.employee.user)
    assert client.get(create_url(world, s.firm)).status_code == 403
    assert client.post(create_url(world, s.firm), post_data(s)).status_code == 403

    # The manager may send, but not to a firm they cannot read.
    tenant = world.tenant
    tenant.employees_read_all_firms = False
    tenant.save(update_fields=["employees_read_all_firms"])
    hidden = make_firm(world, "Hidden Firm", sales_rep=world.outsider)
    hidden_contact = make_contact(world, hidden, "Hidden", email="hidden@example.com")
    dispatch = send(world, hidden, [hidden_contact], [s.file])
    with scope(tenant=tenant.pk):
        item = dispatch.items.get()
    client.force_login(world.manager.user)
    for target in (
        create_url(world, hidden),
        durl(world, "firm-dispatches", hidden.pk),
        durl(world, "dispatch-detail", dispatch.pk),
        durl(world, "dispatch-item", dispatch.pk, item.pk),
        f"{durl(world, 'dispatch-kind-fields')}?firm={hidden.pk}&kind=brochure",
    ):
        assert client.get(target).status_code == 404, target
    data = {**post_data(s), "contacts": [hidden_contact.pk], "templates": [s.file.pk]}
    assert client.post(create_url(world, hidden), data).status_code == 404
    assert client.post(durl(world, "dispatch-retry", dispatch.pk)).status_code == 404
    assert counts()[0] == 1


# --- a record sent as its own PDF (documents.sources) -----------------------------------------


@pytest.fixture
def record_source(s):
    """A registered source whose records are plain objects of the fixture's firm."""
    calls = []

    def get(tenant, member, pk):
        if pk == 404:
            return None
        firm_id = s.firm.pk if pk != 405 else s.firm.pk + 1000
        return SimpleNamespace(pk=pk, firm_id=firm_id, number=f"T-{pk}")

    def render(tenant, record, language):
        return f"Offer {record.number}.pdf", render_pdf(
            "<p>Offer {{ n }} for {{ f }}</p>", {"n": record.number, "f": FIRM_NAME}
        )

    source = sources.register(
        sources.Source(
            label="tests.record",
            kind="offer",
            get=get,
            title=lambda r: f"Offer {r.number}",
            render=render,
            on_sent=lambda tenant, actor, record: calls.append((tenant, actor, record)),
        )
    )
    yield SimpleNamespace(source=source, calls=calls)
    sources._sources.pop("tests.record", None)


@pytest.mark.django_db
def test_a_record_goes_as_its_own_pdf_and_hears_on_sent(client, world, s, record_source):
    client.force_login(world.employee.user)
    target = create_url(world, s.firm, source="tests.record:7")
    page = client.get(target)
    assert page.status_code == 200 and "Offer T-7" in page.text
    for bad in ("tests.record:404", "tests.record:405", "nothing:7", "tests.record:x"):
        assert client.get(create_url(world, s.firm, source=bad)).status_code == 404, bad
    response = client.post(target, post_data(s, kind="offer", templates=[]))
    assert response.status_code == 302
    with scope(tenant=world.tenant.pk):
        dispatch = Dispatch.objects.get()
        [item] = dispatch.items.all()
    assert (dispatch.kind, dispatch.subject_type, dispatch.subject_id) == (
        "offer",
        "tests.record",
        7,
    )
    assert item.version is None and item.title == "Offer T-7"
    [(tenant, actor, record)] = record_source.calls
    assert (tenant, actor, record.pk) == (world.tenant, world.employee.user, 7)
    assert reload(Firm, s.firm.pk).status == FirmStatus.IN_TALKS

    assert prepare(dispatch) == "prepared"
    item = reload(DispatchItem, item.pk)
    assert item.original_name == "Offer T-7.pdf"
    with item.file.open("rb") as handle:
        assert FIRM_NAME in pdf_text(handle.read())


@pytest.mark.django_db
def test_on_sent_runs_in_the_same_transaction(world, s, record_source):
    def refuse(tenant, actor, record):
        raise RuntimeError("the offer cannot be sent")

    sources.register(sources.Source(**{**record_source.source.__dict__, "on_sent": refuse}))
    with pytest.raises(RuntimeError):
        send(
            world,
            s.firm,
            [s.ayse],
            [],
            kind="offer",
            source=sources.get("tests.record"),
            record=SimpleNamespace(pk=3, firm_id=s.firm.pk, number="T-3"),
        )
    assert counts() == (0, 0, 0)
    assert reload(Firm, s.firm.pk).status == FirmStatus.FIRST_CONTACT


# --- the worker's task ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_task_renders_keeps_and_writes_one_email_per_recipient(world, s):
    dispatch = send(
        world,
        s.firm,
        [s.ayse, s.can],
        [s.html, s.file],
        actor=world.employee,
        message="Please have a look.",
    )
    assert prepare(dispatch) == "prepared"

    with scope(tenant=world.tenant.pk):
        file_item, html_item = dispatch.items.order_by("id")
        recipients = list(dispatch.recipients.order_by("id").select_related("outbox"))
    assert html_item.file and html_item.original_name == "Tanıtım_sayfası.pdf"
    with html_item.file.open("rb") as handle:
        text = pdf_text(handle.read())
    # The firm's own letters, the first chosen contact, the sender.
    assert FIRM_NAME in text and "Ayşe Yılmaz" in text and world.employee.full_name in text
    assert not file_item.file  # sent as it is: the version's file is what went out

    rows = OutboxEmail.objects.filter(idempotency_key__startswith=f"dispatch:{dispatch.pk}:")
    assert rows.count() == 2
    for recipient in recipients:
        row = recipient.outbox
        assert row.idempotency_key == f"dispatch:{dispatch.pk}:{recipient.pk}"
        assert row.to == [recipient.email] and row.tenant == world.tenant
        assert row.reply_to == [world.employee.user.email]
        assert row.subject == "Our brochure"
        assert [a["filename"] for a in row.attachments] == ["katalog.pdf", "Tanıtım_sayfası.pdf"]
        assert "Please have a look." in row.body_text
    # Each in the recipient's language.
    assert "Merhaba Ayşe Yılmaz" in recipients[0].outbox.body_text
    assert "Hello Can Demir" in recipients[1].outbox.body_text

    # A second run (a duplicate message, a sweeper) sends nothing more.
    assert prepare(dispatch) == "nothing_to_do"
    assert rows.count() == 2


@pytest.mark.django_db
def test_delivered_email_carries_the_kept_files(world, s, settings):
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    dispatch = send(world, s.firm, [s.can], [s.html, s.file])
    prepare(dispatch)
    with scope(tenant=world.tenant.pk):
        recipient = dispatch.recipients.get()
    assert mail.deliver(recipient.outbox_id) == OutboxEmail.Status.SENT
    [message] = django_mail.outbox
    files = {
        part.get_filename(): part.get_payload(decode=True)
        for part in message.message().walk()
        if part.get_filename()
    }
    assert files["katalog.pdf"] == PDF
    assert FIRM_NAME in pdf_text(files["Tanıtım_sayfası.pdf"])


@pytest.mark.django_db(transaction=True)
def test_a_dispatch_locked_by_another_worker_is_skipped(world, s):
    dispatch = send(world, s.firm, [s.ayse], [s.file])
    locked, release = threading.Event(), threading.Event()

    def other_worker():
        try:
            with scope(tenant=world.tenant.pk), transaction.atomic():
                Dispatch.objects.select_for_update().get(pk=dispatch.pk)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    assert locked.wait(10)
    try:
        with scope(tenant=world.tenant.pk):
            assert dispatch_prepare(dispatch_id=dispatch.pk) is None
        assert not OutboxEmail.objects.filter(idempotency_key__startswith="dispatch:").exists()
    finally:
        release.set()
        thread.join(10)
    assert prepare(dispatch) == "prepared"


@pytest.mark.django_db
def test_a_render_failure_is_visible_and_can_be_tried_again(client, world, s):
    broken = make_template(world.tenant, "Broken page", html="<p>{{ no_such_field }}</p>")
    dispatch = send(world, s.firm, [s.ayse], [s.file, broken], actor=world.employee)
    assert prepare(dispatch) == "not_prepared"
    assert not OutboxEmail.objects.filter(idempotency_key__startswith="dispatch:").exists()
    with scope(tenant=world.tenant.pk):
        note = Notification.objects.get(recipient=world.employee)
    assert "Broken page" in note.text and note.url == durl(world, "dispatch-detail", dispatch.pk)

    client.force_login(world.employee.user)
    page = client.get(durl(world, "dispatch-detail", dispatch.pk))
    assert "Could not be prepared" in page.text and "Broken page" in page.text
    assert "no_such_field" in page.text and "Prepare again" in page.text
    tab = client.get(durl(world, "firm-dispatches", s.firm.pk), headers={"HX-Request": "true"})
    assert "Could not be prepared" in tab.text

    response = client.post(durl(world, "dispatch-retry", dispatch.pk))
    assert response.status_code == 302
    page = client.get(durl(world, "dispatch-detail", dispatch.pk))
    assert "Preparing" in page.text and "Prepare again" not in page.text
    assert prepare(dispatch) == "not_prepared"  # the version sent is still broken
    # Retrying what is not waiting is refused with a message, nothing queued.
    client.post(durl(world, "dispatch-retry", dispatch.pk))
    with scope(tenant=world.tenant.pk):
        events = AuditEntry.objects.filter(
            subject_type="documents.dispatch", action=AuditEntry.Action.EVENT
        )
        assert events.count() == 4  # failure, retry, failure, retry


@pytest.mark.django_db
def test_a_file_missing_from_storage_is_a_failure_not_a_crash(world, s):
    dispatch = send(world, s.firm, [s.ayse], [s.file])
    version = s.file.current_version
    version.file.storage.delete(version.file.name)
    assert prepare(dispatch) == "not_prepared"
    with scope(tenant=world.tenant.pk):
        [state] = selectors.with_states(
            tenant=world.tenant, dispatches=selectors.dispatch_rows(Dispatch.objects.all())
        )
    assert state.state == selectors.NOT_PREPARED and "Katalog 2025" in state.error


@pytest.mark.django_db
def test_a_lost_task_is_found_by_the_sweeper(world, s):
    waiting = send(world, s.firm, [s.ayse], [s.file])
    failed = send(world, s.firm, [s.ayse], [make_template(world.tenant, "X", html="{{ x }}")])
    fresh = send(world, s.firm, [s.ayse], [s.file])
    done = send(world, s.firm, [s.ayse], [s.file])
    prepare(failed), prepare(done)
    old = timezone.now() - timedelta(minutes=5)
    Dispatch.objects.with_scopes_disabled().exclude(pk=fresh.pk).update(created_at=old)
    with scope(tenant=world.tenant.pk):
        assert selectors.stuck_dispatches(tenant=world.tenant) == [waiting.pk]


# --- attachments and signed links -------------------------------------------------------------


def link_paths(row):
    prefix = re.escape(settings.SITE_URL)
    return re.findall(prefix + r"(/d/[^/\s]+/)", row.body_text)


def fetch(client, path):
    """The status of a GET, its streamed file read to the end (which closes it)."""
    response = client.get(path)
    if response.streaming:
        b"".join(response.streaming_content)
    return response.status_code


@pytest.fixture
def linked(world, s, settings):
    """A dispatch whose large file went as a link and whose small file was attached."""
    settings.DOCUMENT_ATTACHMENT_LIMIT = 1000
    large = make_template(
        world.tenant, "Film", kind="brochure", content=PDF + b"0" * 2000, filename="film.pdf"
    )
    dispatch = send(world, s.firm, [s.ayse, s.can], [s.file, large])
    prepare(dispatch)
    with scope(tenant=world.tenant.pk):
        small_item = dispatch.items.get(title="Katalog 2025")
        large_item = dispatch.items.get(title="Film")
        ayse, can = dispatch.recipients.order_by("id").select_related("outbox")
    return SimpleNamespace(
        dispatch=dispatch,
        small=small_item,
        large=large_item,
        ayse=ayse,
        can=can,
        content=PDF + b"0" * 2000,
    )


@pytest.mark.django_db
def test_a_file_over_the_limit_goes_as_a_link(linked):
    assert (linked.small.as_link, linked.large.as_link) == (False, True)
    for recipient in (linked.ayse, linked.can):
        row = recipient.outbox
        assert [a["filename"] for a in row.attachments] == ["katalog.pdf"]
        [path] = link_paths(row)
        assert path in row.body_html
    assert link_paths(linked.ayse.outbox) != link_paths(linked.can.outbox)  # per recipient


@pytest.mark.django_db
def test_files_that_fit_alone_but_not_together_split(world, s, settings):
    settings.DOCUMENT_ATTACHMENT_LIMIT = len(PDF) + 10
    twin = make_template(world.tenant, "Twin", content=PDF, filename="twin.pdf")
    dispatch = send(world, s.firm, [s.ayse], [s.file, twin])
    prepare(dispatch)
    with scope(tenant=world.tenant.pk):
        assert sorted(dispatch.items.values_list("as_link", flat=True)) == [False, True]
        row = dispatch.recipients.get().outbox
    assert len(row.attachments) == 1 and len(link_paths(row)) == 1


@pytest.mark.django_db
def test_the_link_works_without_login_and_is_logged(client, world, linked):
    [path] = link_paths(linked.ayse.outbox)
    response = client.get(path, HTTP_USER_AGENT="Mailreader/2.0", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == linked.content
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    with scope(tenant=world.tenant.pk):
        opening = LinkOpening.objects.get()
    assert (opening.item_id, opening.recipient_id) == (linked.large.pk, linked.ayse.pk)
    assert (opening.ip_address, opening.user_agent) == ("203.0.113.9", "Mailreader/2.0")

    client.force_login(world.employee.user)
    page = client.get(durl(world, "dispatch-detail", linked.dispatch.pk))
    assert "203.0.113.9" in page.text and "ayse@example.com" in page.text


@pytest.mark.django_db
def test_the_link_expires(client, world, linked):
    days = settings.DOCUMENT_LINK_DAYS
    past = time.time() - (days * 86400 + 60)
    with mock.patch("django.core.signing.time.time", return_value=past):
        token = links.make_token(
            tenant_id=world.tenant.pk, item_id=linked.large.pk, recipient_id=linked.ayse.pk
        )
    response = client.get(reverse("document-link", args=[token]))
    assert response.status_code == 410 and "expired" in response.text
    assert not LinkOpening.objects.with_scopes_disabled().exists()
    # Just inside its lifetime it still works.
    with mock.patch("django.core.signing.time.time", return_value=past + 120):
        token = links.make_token(
            tenant_id=world.tenant.pk, item_id=linked.large.pk, recipient_id=linked.ayse.pk
        )
    assert fetch(client, reverse("document-link", args=[token])) == 200


@pytest.mark.django_db
def test_a_link_reaches_nothing_else(client, world, other_world, linked, settings):
    """The signature binds tenant, item and recipient: no other file can be reached."""
    # Another tenant's dispatch with a linked file of its own.
    foreign_firm = make_firm(other_world, "Foreign Firm")
    foreigner = make_contact(other_world, foreign_firm, "Foreigner", email="f@example.com")
    big = make_template(other_world.tenant, "Foreign film", content=PDF + b"1" * 2000)
    foreign = send(other_world, foreign_firm, [foreigner], [big])
    prepare(foreign)
    with scope(tenant=other_world.tenant.pk):
        foreign_item = foreign.items.get()
        foreign_recipient = foreign.recipients.get()
    assert foreign_item.as_link

    def status(tenant_id, item_id, recipient_id):
        token = links.make_token(tenant_id=tenant_id, item_id=item_id, recipient_id=recipient_id)
        return fetch(client, reverse("document-link", args=[token]))

    mine = world.tenant.pk
    assert status(mine, linked.large.pk, linked.ayse.pk) == 200
    assert status(mine, foreign_item.pk, foreign_recipient.pk) == 404  # other tenant's file
    assert status(other_world.tenant.pk, linked.large.pk, linked.ayse.pk) == 404
    assert status(mine, linked.large.pk, foreign_recipient.pk) == 404
    assert status(mine, linked.small.pk, linked.ayse.pk) == 404  # attached, never linked
    [path] = link_paths(linked.ayse.outbox)
    token = path.split("/")[2]
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    payload = {"t": mine, "i": foreign_item.pk, "r": foreign_recipient.pk}
    for bad in (
        tampered,
        token[:20],
        "x" * 600,
        signing.dumps(payload),  # the right key, another salt
        signing.dumps({**payload, "i": "1"}, salt=links.SALT),  # not a number
    ):
        assert client.get(reverse("document-link", args=[bad])).status_code == 404
    with scopes_disabled():
        assert LinkOpening.objects.count() == 1


# --- contact information ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_contact_card_goes_in_the_email_text(client, world, s):
    with scope(tenant=world.tenant.pk):
        ContactCard.objects.create(
            tenant=world.tenant,
            company_name="Acme Dış Ticaret",
            phone="+90 212 555 00 00",
            email="info@acme.example",
        )
    client.force_login(world.employee.user)
    data = post_data(s, kind="contact_card", templates=[], contacts=[s.can.pk])
    assert client.post(create_url(world, s.firm), data).status_code == 302
    with scope(tenant=world.tenant.pk):
        dispatch = Dispatch.objects.get()
        assert not dispatch.items.exists()
    assert prepare(dispatch) == "prepared"
    row = OutboxEmail.objects.get(idempotency_key__startswith="dispatch:")
    assert "+90 212 555 00 00" in row.body_text and "info@acme.example" in row.body_html
    assert row.attachments == []
    assert reload(Firm, s.firm.pk).status == FirmStatus.FIRST_CONTACT


# --- the firm's tab, the timeline, the dispatch page ------------------------------------------


def delivered(dispatch, status, error=""):
    with scopes_disabled():
        ids = list(dispatch.recipients.values_list("outbox_id", flat=True))
    OutboxEmail.objects.filter(pk__in=ids).update(status=status, last_error=error)


@pytest.mark.django_db
def test_the_timeline_shows_what_went_to_whom_by_whom_and_how_far(client, world, s):
    dispatch = send(
        world, s.firm, [s.ayse, s.can], [s.file], actor=world.employee, subject="Catalogue for you"
    )
    client.force_login(world.manager.user)
    timeline_url = reverse("companies:firm-timeline", args=[world.tenant.slug, s.firm.pk])
    page = client.get(timeline_url)
    assert "Catalogue for you" in page.text and "Katalog 2025" in page.text
    assert "ayse@example.com" in page.text and world.employee.full_name in page.text
    assert "Preparing" in page.text
    prepare(dispatch)
    delivered(dispatch, OutboxEmail.Status.SENT)
    page = client.get(timeline_url)
    assert "Sent" in page.text and durl(world, "dispatch-detail", dispatch.pk) in page.text


@pytest.mark.django_db
def test_the_timeline_source_has_a_fixed_query_count(world, s):
    def queries():
        with scope(tenant=world.tenant.pk), CaptureQueriesContext(connection) as ctx:
            items = dispatch_timeline.dispatches(world.tenant, s.firm, 300)
        return len(ctx.captured_queries), len(items)

    send(world, s.firm, [s.ayse], [s.file])
    few = queries()
    for _ in range(4):
        prepare(send(world, s.firm, [s.ayse, s.can], [s.file, s.html]))
    many = queries()
    assert (few[1], many[1]) == (1, 5)
    assert few[0] == many[0] <= 4


@pytest.mark.django_db
def test_the_dispatch_page_shows_items_recipients_and_delivery(client, world, s):
    dispatch = send(world, s.firm, [s.ayse, s.can], [s.html, s.file], message="Please look.")
    client.force_login(world.employee.user)
    with scope(tenant=world.tenant.pk):
        file_item, html_item = dispatch.items.order_by("id")
    html_url = durl(world, "dispatch-item", dispatch.pk, html_item.pk)
    assert client.get(html_url).status_code == 404  # not rendered yet
    prepare(dispatch)
    delivered(dispatch, OutboxEmail.Status.FAILED, "SMTPRecipientsRefused: 550 no such user")
    page = client.get(durl(world, "dispatch-detail", dispatch.pk))
    assert "Delivery failed" in page.text and "550 no such user" in page.text
    assert "ayse@example.com" in page.text and "Please look." in page.text
    response = client.get(html_url)
    kept = b"".join(response.streaming_content)
    assert response.status_code == 200 and FIRM_NAME in pdf_text(kept)
    response = client.get(durl(world, "dispatch-item", dispatch.pk, file_item.pk))
    assert b"".join(response.streaming_content) == PDF


def count_queries(client, target, **kwargs):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(target, **kwargs)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_tab_and_dispatch_page_have_fixed_query_budgets(client, world, s, settings):
    settings.DOCUMENT_ATTACHMENT_LIMIT = 10
    first = send(world, s.firm, [s.ayse], [s.file])
    prepare(first)
    client.force_login(world.manager.user)
    pages = [durl(world, "firm-dispatches", s.firm.pk), durl(world, "dispatch-detail", first.pk)]

    def measure():
        full = [count_queries(client, target) for target in pages]
        htmx = count_queries(client, pages[0], headers={"HX-Request": "true"})
        return full, htmx

    few = measure()
    more = make_contact(world, s.firm, "Deniz", "Ek", email="deniz@example.com")
    for _ in range(6):
        prepare(send(world, s.firm, [s.ayse, s.can, more], [s.file, s.html]))
    with scope(tenant=world.tenant.pk):
        recipient = first.recipients.get()
        for _ in range(5):
            LinkOpening.objects.create(
                tenant=world.tenant,
                item=first.items.get(),
                recipient=recipient,
                ip_address="192.0.2.1",
            )
        second = DispatchRecipient.objects.create(
            tenant=world.tenant, dispatch=first, contact=s.can, name="Can", email="c@x.example"
        )
    assert second.pk
    assert measure() == few
    assert max(few[0]) <= 25 and few[1] <= 14
