"""Comments on a firm with mentions: the timeline, the outbox e-mail and the notification."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from companies.models import Comment
from companies.services.comments import comment_create
from companies.services.firms import firm_create
from core.models import AuditEntry, Notification, OutboxEmail
from tests.helpers import ALLOWED, HOSTILE, make_firm, url


def counts():
    with scopes_disabled():
        return (
            Comment.objects.count(),
            AuditEntry.objects.count(),
            OutboxEmail.objects.count(),
            Notification.objects.count(),
        )


@pytest.mark.django_db
def test_comment_with_mentions_notifies_by_mail_and_in_the_application(client, world):
    firm = make_firm(world, "Mavi <Deniz> A.Ş.", sales_rep=world.employee)
    text = "Please call them about the offer. " * 10
    client.force_login(world.employee.user)
    response = client.post(
        url(world, "comment-create", firm.pk),
        {"text": text, "mentions": [world.manager.pk, world.executive.pk]},
    )
    assert response.status_code == 302
    assert response["Location"] == url(world, "firm-comments", firm.pk)
    with scope(tenant=world.tenant.pk):
        comment = Comment.objects.get(firm=firm)
        assert comment.author == world.employee
        assert set(comment.mentions.all()) == {world.manager, world.executive}
        event = AuditEntry.objects.get(
            subject_type="companies.firm", subject_id=firm.pk, action="event"
        )
        notes = list(Notification.objects.order_by("recipient_id"))
    assert event.summary == "Comment: " + " ".join(text[:200].split())
    with scopes_disabled():
        mails = {row.idempotency_key: row for row in OutboxEmail.objects.all()}
    assert set(mails) == {
        f"comment:{comment.pk}:mention:{world.manager.pk}",
        f"comment:{comment.pk}:mention:{world.executive.pk}",
    }
    manager_mail = mails[f"comment:{comment.pk}:mention:{world.manager.pk}"]
    assert manager_mail.to == [world.manager.user.email]
    author = world.employee.full_name
    assert manager_mail.subject == f"{author} mentioned you on Mavi <Deniz> A.Ş."
    assert "Please call them" in manager_mail.body_text
    assert "Mavi &lt;Deniz&gt;" in manager_mail.body_html
    assert url(world, "firm-comments", firm.pk) in manager_mail.body_text
    assert {n.recipient_id for n in notes} == {world.manager.pk, world.executive.pk}
    assert notes[0].url == url(world, "firm-comments", firm.pk)
    assert notes[0].text == f"{author} mentioned you on Mavi <Deniz> A.Ş."
    page = client.get(url(world, "firm-comments", firm.pk)).text
    assert "Please call them" in page and world.manager.full_name in page


@pytest.mark.django_db
def test_a_reader_may_comment_on_a_firm_they_do_not_represent(client, world):
    firm = make_firm(world, "Someone else's", sales_rep=world.outsider)
    client.force_login(world.employee.user)
    response = client.post(url(world, "comment-create", firm.pk), {"text": "Seen them at the fair"})
    assert response.status_code == 302


@pytest.mark.django_db
def test_mentioning_someone_who_cannot_see_the_firm_is_refused(client, world):
    world.tenant.employees_read_all_firms = False
    world.tenant.save(update_fields=["employees_read_all_firms"])
    firm = make_firm(world, "Team firm", sales_rep=world.employee)
    client.force_login(world.manager.user)
    before = counts()
    response = client.post(
        url(world, "comment-create", firm.pk), {"text": "Look", "mentions": [world.outsider.pk]}
    )
    assert response.status_code == 400
    assert "cannot see this firm" in response.text and world.outsider.full_name in response.text
    assert counts() == before
    # And someone who cannot see it cannot comment on it either.
    client.force_login(world.outsider.user)
    assert client.post(url(world, "comment-create", firm.pk), {"text": "Hi"}).status_code == 404
    assert client.get(url(world, "firm-comments", firm.pk)).status_code == 404
    assert counts() == before


@pytest.mark.django_db
def test_mentions_of_another_tenant_or_oneself_are_refused(client, world, other_world):
    firm = make_firm(world, "Firm")
    client.force_login(world.employee.user)
    for bad in (other_world.manager.pk, world.employee.pk, "x"):
        before = counts()
        response = client.post(
            url(world, "comment-create", firm.pk), {"text": "Hello", "mentions": [bad]}
        )
        assert response.status_code == 400, bad
        assert counts() == before


@pytest.mark.django_db
def test_the_same_comment_mails_each_person_once(world):
    firm = make_firm(world, "Once")
    with scope(tenant=world.tenant.pk):
        comment = comment_create(
            tenant=world.tenant, actor=world.employee.user, author=world.employee, firm=firm,
            text="Twice?", mentions=[world.manager, world.manager],
        )  # fmt: skip
        assert list(comment.mentions.all()) == [world.manager]
        assert Notification.objects.count() == 1
    with scopes_disabled():
        assert OutboxEmail.objects.filter(idempotency_key__startswith="comment:").count() == 1


@pytest.mark.django_db
def test_blank_comment_and_other_tenants_firm(client, world, other_world):
    firm = make_firm(world, "Firm")
    with scope(tenant=other_world.tenant.pk):
        foreign = firm_create(
            tenant=other_world.tenant, actor=None, data={"name": "Foreign", "type": "customer"}
        )
    client.force_login(world.executive.user)
    before = counts()
    assert client.post(url(world, "comment-create", firm.pk), {"text": "   "}).status_code == 400
    assert client.post(url(world, "comment-create", foreign.pk), {"text": "x"}).status_code == 404
    assert client.get(url(world, "comment-create", firm.pk)).status_code == 405
    assert counts() == before


@pytest.mark.django_db
def test_hostile_input(client, world):
    firm = make_firm(world, "Hostile")
    client.force_login(world.executive.user)
    for field in ("text", "mentions"):
        for value in HOSTILE:
            data = {"text": "Fine", "mentions": [world.manager.pk], field: value}
            before = counts()
            response = client.post(url(world, "comment-create", firm.pk), data)
            assert response.status_code in ALLOWED, (field, value[:20])
            if response.status_code != 302:
                assert counts() == before, (field, value[:20])
    with scopes_disabled():
        for comment in Comment.objects.all():
            assert "\x00" not in comment.text
        for row in OutboxEmail.objects.all():
            assert "\n" not in row.subject and "\r" not in row.subject


def count_queries(client, target, **kwargs):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(target, **kwargs)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_comments_tab_has_a_fixed_query_budget(client, world):
    firm = make_firm(world, "Budget")

    def add(n):
        with scope(tenant=world.tenant.pk):
            for i in range(n):
                comment_create(
                    tenant=world.tenant, actor=world.executive.user, author=world.executive,
                    firm=firm, text=f"Note {i}", mentions=[world.manager, world.employee],
                )  # fmt: skip

    add(1)
    client.force_login(world.manager.user)
    target = url(world, "firm-comments", firm.pk)
    htmx = {"HX-Request": "true"}
    few = count_queries(client, target), count_queries(client, target, headers=htmx)
    add(30)  # more than a page: the second page exists and has its own link
    many = count_queries(client, target), count_queries(client, target, headers=htmx)
    assert few == many
    # The whole 360° page around the tab, then the tab alone.
    assert many[0] <= 20 and many[1] <= 14
    assert f"{target}?page=2" in client.get(target).text
