"""Meeting notes (seed 000 "Görüşme Notları"): the contact met or a new one, the appointment
booked in place, the same-hour warning, row rules through the firm, files, budgets."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from agenda.models import Activity, MeetingNote, MeetingNoteAttachment
from agenda.services.activities import activity_create
from companies.models import Contact, Email, FirmContact, Phone
from core.models import AuditEntry, Choice
from tests import helpers
from tests.factories import make_firm

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HOSTILE = [*helpers.HOSTILE, "other"]
ALLOWED = helpers.ALLOWED
ISTANBUL = ZoneInfo("Europe/Istanbul")


def url(world, name, *args):
    return reverse(f"agenda:{name}", args=[world.tenant.slug, *args])


def choice(tenant, key, code):
    with scopes_disabled():
        return Choice.objects.get(tenant=tenant, list_key=key, code=code)


def counts():
    with scopes_disabled():
        return {
            model.__name__: model.objects.count()
            for model in (MeetingNote, MeetingNoteAttachment, Activity, Contact, FirmContact)
        }


@pytest.fixture
def firm(world):
    """A customer the employee represents (the manager reaches it through the team)."""
    return make_firm(
        world.tenant,
        "Anadolu Makina",
        sales_rep=world.employee,
        actor=world.executive.user,
        first_contact={"data": {"first_name": "Kemal", "last_name": "Er"}},
    )


def note_post(world, firm, **overrides):
    data = {
        "firm": firm.pk,
        "met_at": "2026-11-24T10:05",
        "channel": choice(world.tenant, "meeting_channel", "visit").pk,
        "subject": "Spring order talk",
        "contact": firm.primary_contact_id,
        "participants": [world.employee.pk],
        "product": "Pump K-40",
        "outcome": choice(world.tenant, "meeting_outcome", "offer").pk,
        "notes": "They want a price for 40 pumps.",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def appointment_post(world, **overrides):
    data = {
        "outcome": choice(world.tenant, "meeting_outcome", "appointment").pk,
        "appointment-subject": "Demo at their plant",
        "appointment-start": "2026-11-30T14:00",
        "appointment-end": "2026-11-30T15:00",
        "appointment-assigned_to": world.employee.pk,
        "appointment-location": "Gebze",
    }
    data.update(overrides)
    return data


def save_note(client, world, firm, **overrides):
    return client.post(url(world, "note-create"), note_post(world, firm, **overrides))


def only_note():
    with scopes_disabled():
        return MeetingNote.objects.select_related("contact", "appointment").get()


@pytest.mark.django_db
def test_create_with_an_existing_contact(client, world, firm):
    client.force_login(world.employee.user)
    form = client.get(url(world, "note-create") + f"?firm={firm.pk}")
    assert form.status_code == 200 and "Kemal Er" in form.text  # the firm's contacts offered
    response = save_note(client, world, firm)
    assert response.status_code == 302
    note = only_note()
    page = client.get(response["Location"]).text
    assert "Spring order talk" in page and "Kemal Er" in page and "Pump K-40" in page
    assert "They want a price for 40 pumps." in page and "Offer requested" in page
    assert note.created_by == world.employee and note.appointment is None
    with scopes_disabled():
        assert list(note.participants.all()) == [world.employee]
        assert AuditEntry.objects.filter(subject_type="agenda.meetingnote").count() == 1


@pytest.mark.django_db
def test_other_adds_the_person_met_to_the_firm(client, world, firm):
    client.force_login(world.employee.user)
    response = save_note(
        client, world, firm, contact="other",
        **{"new_contact-first_name": "Selin", "new_contact-last_name": "Aydın",
           "new_contact-job_title": "Purchasing", "new_contact-phone": "+90 532 111 22 33",
           "new_contact-email": "selin@anadolu.example"},
    )  # fmt: skip
    assert response.status_code == 302
    note = only_note()
    assert note.contact.full_name == "Selin Aydın" and note.contact.job_title == "Purchasing"
    with scopes_disabled():
        assert FirmContact.objects.filter(firm=firm, contact=note.contact).exists()
        assert Phone.objects.get(contact=note.contact).number == "+90 532 111 22 33"
        assert Email.objects.get(contact=note.contact).address == "selin@anadolu.example"
    contacts = client.get(reverse("companies:firm-contacts", args=[world.tenant.slug, firm.pk]))
    assert "Selin" in contacts.text


@pytest.mark.django_db
def test_other_without_a_name_saves_nothing(client, world, firm):
    client.force_login(world.employee.user)
    before = counts()
    response = save_note(client, world, firm, contact="other", **{"new_contact-first_name": ""})
    assert response.status_code == 400
    assert "This field is required." in response.text
    assert counts() == before


@pytest.mark.django_db
def test_outcome_appointment_books_exactly_one_linked_appointment(client, world, firm):
    client.force_login(world.employee.user)
    response = save_note(client, world, firm, **appointment_post(world))
    assert response.status_code == 302
    note = only_note()
    with scopes_disabled():
        appointment = Activity.objects.get()
        assert note.appointment == appointment
        assert appointment.type.code == "appointment" and appointment.firm == firm
        assert appointment.subject == "Demo at their plant" and appointment.location == "Gebze"
        assert appointment.assigned_to == world.employee
        assert list(appointment.contacts.all()) == [firm.primary_contact]
    # Times are read in the user's time zone (Europe/Istanbul, UTC+3).
    assert appointment.start == datetime(2026, 11, 30, 11, 0, tzinfo=UTC)
    assert note.met_at == datetime(2026, 11, 24, 7, 5, tzinfo=UTC)
    page = client.get(response["Location"]).text
    assert "Demo at their plant" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bad",
    [
        {"appointment-end": "2026-11-30T13:00"},  # before the start
        {"appointment-subject": ""},
        {"appointment-start": "not a date"},
        {"appointment-assigned_to": "999999"},
    ],
)
def test_invalid_appointment_saves_neither(client, world, firm, bad):
    client.force_login(world.employee.user)
    before = counts()
    response = save_note(
        client, world, firm, contact="other",
        **{"new_contact-first_name": "Deniz"}, **appointment_post(world, **bad),
    )  # fmt: skip
    assert response.status_code == 400
    assert counts() == before


@pytest.mark.django_db
def test_invalid_note_books_no_appointment(client, world, firm):
    client.force_login(world.employee.user)
    before = counts()
    response = save_note(client, world, firm, subject="", **appointment_post(world))
    assert response.status_code == 400
    assert counts() == before


@pytest.mark.django_db
def test_employee_without_assign_books_only_for_themselves(client, world, firm):
    client.force_login(world.employee.user)
    before = counts()
    response = save_note(
        client,
        world,
        firm,
        **appointment_post(world, **{"appointment-assigned_to": world.manager.pk}),
    )
    assert response.status_code == 400
    assert counts() == before


@pytest.mark.django_db
def test_appointment_clash_warns_and_saves_anyway(client, world, firm):
    with scope(tenant=world.tenant.pk):
        start = datetime(2026, 11, 30, 14, 30, tzinfo=ISTANBUL)
        activity_create(
            tenant=world.tenant,
            actor=world.employee,
            data={
                "type": choice(world.tenant, "activity_type", "call"),
                "subject": "Weekly call with HQ",
                "assigned_to": world.employee,
                "start": start,
                "end": start + timedelta(minutes=30),
            },
        )
    client.force_login(world.employee.user)
    before = counts()
    data = {**appointment_post(world), "contact": "other", "new_contact-first_name": "Umut"}
    response = save_note(client, world, firm, **data)
    assert response.status_code == 200
    assert "Weekly call with HQ" in response.text and "Save anyway" in response.text
    assert counts() == before  # neither the note, the appointment nor the new contact
    response = save_note(client, world, firm, confirm_clash="1", **data)
    assert response.status_code == 302
    note = only_note()
    assert note.appointment.subject == "Demo at their plant" and note.contact.first_name == "Umut"


@pytest.mark.django_db
def test_same_hour_warns_names_the_other_note_and_goes_ahead(client, world, firm):
    client.force_login(world.employee.user)
    assert save_note(client, world, firm, subject="First visit").status_code == 302
    before = counts()
    response = save_note(client, world, firm, subject="Second talk", met_at="2026-11-24T10:55")
    assert response.status_code == 200
    assert "same hour" in response.text and "First visit" in response.text
    assert "Save anyway" in response.text
    assert counts() == before
    response = save_note(
        client, world, firm, subject="Second talk", met_at="2026-11-24T10:55", confirm_same_hour="1"
    )
    assert response.status_code == 302
    # The next hour, or another firm in the same hour, raises no warning.
    assert (
        save_note(client, world, firm, subject="Later", met_at="2026-11-24T11:00").status_code
        == 302
    )
    other = make_firm(world.tenant, "Başka Firma", sales_rep=world.employee)
    response = save_note(client, world, other, subject="Elsewhere", contact="")
    assert response.status_code == 302
    with scopes_disabled():
        assert MeetingNote.objects.count() == 4


@pytest.mark.django_db
def test_both_warnings_in_turn(client, world, firm):
    """Confirming the same hour keeps the confirmation while the clash is asked about."""
    client.force_login(world.employee.user)
    save_note(client, world, firm, subject="First visit")
    save_note(
        client, world, firm, subject="Booked", met_at="2026-11-24T11:30", **appointment_post(world)
    )
    data = {**appointment_post(world), "subject": "Again"}
    response = save_note(client, world, firm, confirm_same_hour="1", **data)
    assert response.status_code == 200 and "Demo at their plant" in response.text
    assert 'name="confirm_same_hour" value="1"' in response.text
    response = save_note(client, world, firm, confirm_same_hour="1", confirm_clash="1", **data)
    assert response.status_code == 302


@pytest.mark.django_db
def test_visibility_follows_the_firms_row_rules(client, world, firm):
    world.tenant.employees_read_all_firms = False  # employees read only their own and the pool
    world.tenant.save(update_fields=["employees_read_all_firms"])
    hidden = make_firm(world.tenant, "Outsider Ltd", sales_rep=world.outsider)
    client.force_login(world.outsider.user)
    assert save_note(client, world, hidden, subject="Hidden talk", contact="").status_code == 302
    with scopes_disabled():
        hidden_note = MeetingNote.objects.get(subject="Hidden talk")
    client.force_login(world.employee.user)
    assert client.get(url(world, "note-detail", hidden_note.pk)).status_code == 404
    assert "Hidden talk" not in client.get(url(world, "note-list")).text
    before = counts()
    response = save_note(client, world, hidden, contact="")
    assert response.status_code == 400 and "Select a valid choice" in response.text
    assert counts() == before
    options = client.get(url(world, "note-contact-options") + f"?firm={hidden.pk}").text
    assert "Kemal" not in options
    client.force_login(world.manager.user)  # the outsider is not in the manager's team
    assert client.get(url(world, "note-detail", hidden_note.pk)).status_code == 404
    client.force_login(world.executive.user)
    assert client.get(url(world, "note-detail", hidden_note.pk)).status_code == 200
    assert "Hidden talk" in client.get(url(world, "note-list")).text


@pytest.mark.django_db
def test_only_the_author_and_executives_change_or_delete(client, world, firm):
    client.force_login(world.employee.user)
    save_note(client, world, firm)
    note = only_note()
    client.force_login(world.manager.user)  # sees it through the team, but did not write it
    detail = client.get(url(world, "note-detail", note.pk))
    assert detail.status_code == 200 and url(world, "note-edit", note.pk) not in detail.text
    assert client.get(url(world, "note-edit", note.pk)).status_code == 403
    assert client.post(url(world, "note-delete", note.pk)).status_code == 403
    client.force_login(world.executive.user)
    response = client.post(
        url(world, "note-edit", note.pk), note_post(world, firm, subject="Corrected subject")
    )
    assert response.status_code == 302
    assert "Corrected subject" in client.get(url(world, "note-detail", note.pk)).text
    client.force_login(world.employee.user)
    assert client.post(url(world, "note-delete", note.pk)).status_code == 302
    assert counts()["MeetingNote"] == 0


@pytest.mark.django_db
def test_edit_to_appointment_books_one_and_keeps_it(client, world, firm):
    client.force_login(world.employee.user)
    save_note(client, world, firm)
    note = only_note()
    edit = url(world, "note-edit", note.pk)
    assert client.post(edit, note_post(world, firm, **appointment_post(world))).status_code == 302
    assert client.post(edit, note_post(world, firm, **appointment_post(world))).status_code == 302
    with scopes_disabled():
        assert Activity.objects.count() == 1
    assert only_note().appointment is not None
    assert "Demo at their plant" in client.get(edit).text


@pytest.mark.django_db
def test_hostile_input_never_fails_and_never_half_saves(client, world, firm):
    client.force_login(world.employee.user)
    base = {**note_post(world, firm), **appointment_post(world), "contact": "other",
            "new_contact-first_name": "Nur"}  # fmt: skip
    create = url(world, "note-create")
    for field in list(base):
        for value in HOSTILE:
            before = counts()
            response = client.post(create, {**base, field: value, "confirm_same_hour": "1"})
            assert response.status_code in ALLOWED, (field, value[:20], response.status_code)
            after = counts()
            if response.status_code == 302:
                with scopes_disabled():
                    note = MeetingNote.objects.select_related("outcome").order_by("-pk").first()
                    booked = note.outcome is not None and note.outcome.code == "appointment"
                    assert (note.appointment_id is not None) == booked, (field, value[:20])
                    assert after["Activity"] - before["Activity"] == int(booked)
                    assert after["MeetingNote"] - before["MeetingNote"] == 1
                    assert "\x00" not in note.subject + note.notes + note.product
            else:
                assert after == before, (field, value[:20])


@pytest.mark.django_db
def test_foreign_ids_are_refused(client, world, other_world, firm):
    foreign_firm = make_firm(other_world.tenant, "Globex Firm", actor=other_world.executive.user)
    other_contact_firm = make_firm(
        world.tenant, "Another", sales_rep=world.employee,
        first_contact={"data": {"first_name": "Zeynep"}},
    )  # fmt: skip
    client.force_login(world.employee.user)
    cases = [
        {"firm": foreign_firm.pk},
        {"channel": choice(other_world.tenant, "meeting_channel", "visit").pk},
        {"outcome": choice(other_world.tenant, "meeting_outcome", "offer").pk},
        {"participants": [other_world.employee.pk]},
        {"contact": other_contact_firm.primary_contact_id},
        {**appointment_post(world), "appointment-assigned_to": other_world.employee.pk},
    ]
    for case in cases:
        before = counts()
        response = client.post(url(world, "note-create"), {**note_post(world, firm), **case})
        assert response.status_code == 400, case
        assert counts() == before


@pytest.mark.django_db
def test_attachments_are_checked_by_content_and_served_with_a_check(client, world, firm):
    world.tenant.employees_read_all_firms = False  # the outsider cannot see the firm
    world.tenant.save(update_fields=["employees_read_all_firms"])
    client.force_login(world.employee.user)
    fake = SimpleUploadedFile("offer.pdf", b"just text pretending", content_type="application/pdf")
    before = counts()
    response = client.post(
        url(world, "note-create"), {**note_post(world, firm), "attachment": fake}
    )
    assert response.status_code == 400 and "not accepted" in response.text
    assert counts() == before
    real = SimpleUploadedFile("offer.pdf", PDF, content_type="application/pdf")
    response = client.post(
        url(world, "note-create"), {**note_post(world, firm), "attachment": real}
    )
    assert response.status_code == 302
    note = only_note()
    add = url(world, "note-attachment-add", note.pk)
    renamed = SimpleUploadedFile("photo.png", PDF, content_type="image/png")
    response = client.post(add, {"file": renamed})
    assert response.status_code == 400 and "content is application/pdf" in response.text
    response = client.post(add, {"file": SimpleUploadedFile("second.pdf", PDF)})
    assert response.status_code == 302
    with scopes_disabled():
        first, second = MeetingNoteAttachment.objects.order_by("pk")
    page = client.get(url(world, "note-detail", note.pk)).text
    assert "offer.pdf" in page and "second.pdf" in page
    client.force_login(world.manager.user)
    download = client.get(url(world, "note-attachment", note.pk, first.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in download["Content-Disposition"]
    assert client.post(url(world, "note-attachment-remove", note.pk, first.pk)).status_code == 403
    assert client.post(add, {"file": SimpleUploadedFile("m.pdf", PDF)}).status_code == 403
    client.force_login(world.outsider.user)
    assert client.get(url(world, "note-attachment", note.pk, first.pk)).status_code == 404
    client.force_login(world.employee.user)
    response = client.post(url(world, "note-attachment-remove", note.pk, second.pk))
    assert response.status_code == 302
    assert "second.pdf" not in client.get(url(world, "note-detail", note.pk)).text


@pytest.mark.django_db
def test_list_filters(client, world, firm):
    client.force_login(world.employee.user)
    phone = choice(world.tenant, "meeting_channel", "phone").pk
    save_note(
        client, world, firm, subject="Phone chat", met_at="2026-10-01T09:00", channel=phone,
        participants=[],
    )  # fmt: skip
    save_note(client, world, firm, subject="Plant visit", met_at="2026-11-20T09:00")
    listing = url(world, "note-list")

    def shown(query):
        text = client.get(listing + query).text
        return [s for s in ("Phone chat", "Plant visit") if s in text]

    assert shown("") == ["Phone chat", "Plant visit"]
    assert shown(f"?channel={phone}") == ["Phone chat"]
    assert shown(f"?participant={world.employee.pk}") == ["Plant visit"]
    assert shown("?date_from=2026-11-01&date_to=2026-11-30") == ["Plant visit"]
    assert shown("?date_to=2026-10-01") == ["Phone chat"]
    assert shown("?q=plant") == ["Plant visit"]
    assert shown(f"?firm={firm.pk}") == ["Phone chat", "Plant visit"]
    assert shown("?firm=abc&channel=%00&date_from=bad") == ["Phone chat", "Plant visit"]
    htmx = client.get(listing + "?q=phone", headers={"HX-Request": "true"})
    assert "<html" not in htmx.text and "Phone chat" in htmx.text


@pytest.mark.django_db
def test_contact_options_follow_the_chosen_firm(client, world, firm):
    client.force_login(world.employee.user)
    text = client.get(url(world, "note-contact-options") + f"?firm={firm.pk}").text
    assert "Kemal Er" in text and 'value="other"' in text
    assert "Kemal" not in client.get(url(world, "note-contact-options") + "?firm=x").text


@pytest.mark.django_db
def test_notes_appear_on_the_firms_timeline(client, world, firm):
    client.force_login(world.employee.user)
    save_note(client, world, firm, subject="Talked about spare parts")
    note = only_note()
    timeline = client.get(reverse("companies:firm-timeline", args=[world.tenant.slug, firm.pk]))
    assert "Talked about spare parts" in timeline.text
    assert url(world, "note-detail", note.pk) in timeline.text
    assert "Meeting note · Visit" in timeline.text


def count_queries(client, address):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(address)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def add_notes(world, firm, n, start=0):
    with scope(tenant=world.tenant.pk):
        for i in range(start, start + n):
            note = MeetingNote.objects.create(
                tenant=world.tenant, firm=firm, subject=f"Note {i}",
                met_at=timezone.now() - timedelta(hours=i),
                channel=choice(world.tenant, "meeting_channel", "phone"),
                outcome=choice(world.tenant, "meeting_outcome", "offer"),
                contact=firm.primary_contact, created_by=world.employee,
            )  # fmt: skip
            note.participants.set([world.employee, world.manager])
            MeetingNoteAttachment.objects.create(
                tenant=world.tenant, note=note, file=SimpleUploadedFile("a.pdf", PDF),
                original_name="a.pdf", content_type="application/pdf", size=len(PDF),
                uploaded_by=world.employee,
            )  # fmt: skip
    return note


@pytest.mark.django_db
def test_list_and_detail_query_budgets(client, world, firm):
    client.force_login(world.manager.user)
    note = add_notes(world, firm, 1)
    few_list = count_queries(client, url(world, "note-list"))
    few_detail = count_queries(client, url(world, "note-detail", note.pk))
    add_notes(world, firm, 30, start=1)
    with scope(tenant=world.tenant.pk):
        MeetingNoteAttachment.objects.bulk_create(
            MeetingNoteAttachment(
                tenant=world.tenant, note=note, file="x.pdf", original_name=f"{i}.pdf",
                content_type="application/pdf", size=1, uploaded_by=world.manager,
            )
            for i in range(10)
        )  # fmt: skip
    many_list = count_queries(client, url(world, "note-list"))
    many_detail = count_queries(client, url(world, "note-detail", note.pk))
    assert few_list == many_list <= 16, (few_list, many_list)
    assert few_detail == many_detail <= 14, (few_detail, many_detail)
