"""References (individual and corporate, shown on both firms) and samples sent to firms."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from companies.models import Reference, Sample
from companies.services.firms import firm_create
from companies.services.references import reference_create, sample_create
from core.models import AuditEntry
from tests.helpers import ALLOWED, HOSTILE, make_firm, url


def counts():
    with scopes_disabled():
        return (Reference.objects.count(), Sample.objects.count(), AuditEntry.objects.count())


def firm_events(world, firm):
    with scope(tenant=world.tenant.pk):
        return list(
            AuditEntry.objects.filter(
                subject_type="companies.firm", subject_id=firm.pk, action="event"
            ).values_list("summary", flat=True)
        )


def individual(**extra):
    return {
        "kind": "individual",
        "person_name": "Ayşe Kaya",
        "phone": "+90 532 000 00 00",
        "email": "ayse@example.com",
        "referrer_search": "",
        "referrer_firm": "",
        "note": "Met at the fair",
        **extra,
    }


def corporate(referrer, **extra):
    return {"kind": "corporate", "referrer_firm": referrer.pk, "note": "", **extra}


@pytest.mark.django_db
def test_individual_reference_is_shown_and_on_the_timeline(client, world):
    firm = make_firm(world, "Lale Tekstil", sales_rep=world.employee)
    client.force_login(world.employee.user)
    assert client.get(url(world, "reference-create", firm.pk)).status_code == 200
    response = client.post(url(world, "reference-create", firm.pk), individual())
    assert response.status_code == 302
    assert response["Location"] == url(world, "firm-references", firm.pk)
    page = client.get(response["Location"]).text
    assert "Ayşe Kaya" in page and "ayse@example.com" in page
    assert firm_events(world, firm) == ["Reference added: Ayşe Kaya"]
    # An individual reference needs the person's name.
    response = client.post(url(world, "reference-create", firm.pk), individual(person_name=""))
    assert response.status_code == 400


@pytest.mark.django_db
def test_corporate_reference_shows_on_both_firms(client, world):
    firm = make_firm(world, "Recommended", sales_rep=world.employee)
    referrer = make_firm(world, "Recommender")
    client.force_login(world.employee.user)
    response = client.post(url(world, "reference-create", firm.pk), corporate(referrer))
    assert response.status_code == 302
    assert "Recommender" in client.get(url(world, "firm-references", firm.pk)).text
    referrer_tab = client.get(url(world, "firm-references", referrer.pk)).text
    assert "Firms it recommended" in referrer_tab and "Recommended" in referrer_tab
    assert firm_events(world, firm) == ["Reference added: Recommender"]
    assert firm_events(world, referrer) == ["Recommended the firm Recommended"]
    # Once is enough; and a firm cannot recommend itself.
    before = counts()
    response = client.post(url(world, "reference-create", firm.pk), corporate(referrer))
    assert response.status_code == 400 and "already a reference" in response.text
    assert client.post(url(world, "reference-create", firm.pk), corporate(firm)).status_code == 400
    response = client.post(url(world, "reference-create", firm.pk), {"kind": "corporate"})
    assert response.status_code == 400
    assert counts() == before


@pytest.mark.django_db
def test_a_firm_of_another_tenant_cannot_be_a_reference(client, world, other_world):
    firm = make_firm(world, "Ours")
    with scope(tenant=other_world.tenant.pk):
        foreign = firm_create(
            tenant=other_world.tenant, actor=None, data={"name": "Theirs", "type": "customer"}
        )
    client.force_login(world.executive.user)
    before = counts()
    response = client.post(url(world, "reference-create", firm.pk), corporate(foreign))
    assert response.status_code == 400
    assert "Select a valid choice" in response.text
    assert counts() == before
    # Nor may their firm's references be reached through our tenant.
    assert client.get(url(world, "firm-references", foreign.pk)).status_code == 404


@pytest.mark.django_db
def test_find_refills_the_firm_choices_without_saving(client, world):
    firm = make_firm(world, "Target")
    make_firm(world, "Kuzey Lojistik")
    make_firm(world, "Güney Gıda")
    client.force_login(world.executive.user)
    before = counts()
    response = client.post(
        url(world, "reference-create", firm.pk),
        {"kind": "corporate", "referrer_search": "lojist", "note": "kept", "find": "1"},
    )
    assert response.status_code == 200
    assert "Kuzey Lojistik" in response.text and "Güney Gıda" not in response.text
    assert "kept" in response.text
    assert counts() == before


@pytest.mark.django_db
def test_delete_a_reference(client, world):
    firm = make_firm(world, "Has a reference", sales_rep=world.employee)
    referrer = make_firm(world, "Referrer")
    with scope(tenant=world.tenant.pk):
        reference = reference_create(
            tenant=world.tenant, actor=None, firm=firm,
            data={"kind": "corporate", "referrer_firm": referrer},
        )  # fmt: skip
    client.force_login(world.employee.user)
    delete = url(world, "reference-delete", firm.pk, reference.pk)
    assert client.get(delete).status_code == 200
    # Through the other firm's address it does not exist.
    wrong = url(world, "reference-delete", referrer.pk, reference.pk)
    client.force_login(world.executive.user)
    assert client.post(wrong).status_code == 404
    client.force_login(world.employee.user)
    assert client.post(delete).status_code == 302
    with scope(tenant=world.tenant.pk):
        assert not Reference.objects.exists()
    assert firm_events(world, firm)[0] == "Reference removed: Referrer"
    assert firm_events(world, referrer)[0] == "No longer listed as recommending Has a reference"


@pytest.mark.django_db
def test_employee_cannot_change_another_representatives_firm(client, world):
    firm = make_firm(world, "Outsider's", sales_rep=world.outsider)
    with scope(tenant=world.tenant.pk):
        sample = sample_create(
            tenant=world.tenant, actor=None, firm=firm, data={"description": "A"}
        )
        reference = reference_create(
            tenant=world.tenant, actor=None, firm=firm,
            data={"kind": "individual", "person_name": "Ali"},
        )  # fmt: skip
    client.force_login(world.employee.user)
    # Reading is allowed (the tenant lets employees read every firm), changing is not.
    assert client.get(url(world, "firm-references", firm.pk)).status_code == 200
    assert client.get(url(world, "firm-samples", firm.pk)).status_code == 200
    before = counts()
    for target, data in [
        (url(world, "reference-create", firm.pk), individual()),
        (url(world, "reference-delete", firm.pk, reference.pk), {}),
        (url(world, "sample-create", firm.pk), {"description": "B", "quantity": "1"}),
        (url(world, "sample-edit", firm.pk, sample.pk), {"description": "C", "quantity": "1"}),
    ]:
        assert client.get(target).status_code == 403
        assert client.post(target, data).status_code == 403
    assert counts() == before
    page = client.get(url(world, "firm-samples", firm.pk)).text
    assert url(world, "sample-edit", firm.pk, sample.pk) not in page


def sample_data(world, **extra):
    return {
        "description": "Ceramic tiles 30x60",
        "quantity": "12",
        "sent_on": "2026-11-02",
        "sent_by": world.employee.pk,
        "tracking_number": "TR123456",
        "feedback": "",
        **extra,
    }


@pytest.mark.django_db
def test_record_and_change_a_sample(client, world, other_world):
    firm = make_firm(world, "Sample firm", sales_rep=world.employee)
    client.force_login(world.employee.user)
    assert client.get(url(world, "sample-create", firm.pk)).status_code == 200
    response = client.post(url(world, "sample-create", firm.pk), sample_data(world))
    assert response.status_code == 302
    with scope(tenant=world.tenant.pk):
        sample = Sample.objects.get(firm=firm)
    assert sample.quantity == 12 and sample.sent_by_id == world.employee.pk
    assert firm_events(world, firm) == ["Sample sent: Ceramic tiles 30x60 × 12"]
    edit = url(world, "sample-edit", firm.pk, sample.pk)
    assert "TR123456" in client.get(edit).text
    response = client.post(edit, sample_data(world, feedback="They loved the colour"))
    assert response.status_code == 302
    assert "They loved the colour" in client.get(url(world, "firm-samples", firm.pk)).text
    assert firm_events(world, firm)[0] == "Sample Ceramic tiles 30x60 changed: feedback"
    # A colleague of another tenant did not send it.
    before = counts()
    response = client.post(edit, sample_data(world, sent_by=other_world.employee.pk))
    assert response.status_code == 400
    assert counts() == before
    # A sample of another firm is not found through this firm.
    other = make_firm(world, "Other", sales_rep=world.employee)
    assert client.get(url(world, "sample-edit", other.pk, sample.pk)).status_code == 404


@pytest.mark.django_db
def test_tabs_answer_htmx_with_a_fragment(client, world):
    firm = make_firm(world, "Fragments")
    client.force_login(world.executive.user)
    for name in ("firm-references", "firm-samples", "reference-create", "sample-create"):
        fragment = client.get(url(world, name, firm.pk), headers={"HX-Request": "true"}).text
        page = client.get(url(world, name, firm.pk)).text
        assert "<html" not in fragment and "<html" in page, name


@pytest.mark.django_db
@pytest.mark.parametrize("form", ["reference", "sample-create", "sample-edit"])
def test_hostile_input_on_every_field(form, client, world):
    firm = make_firm(world, "Hostile", sales_rep=world.employee)
    referrer = make_firm(world, "Hostile referrer")
    with scope(tenant=world.tenant.pk):
        sample = sample_create(
            tenant=world.tenant, actor=None, firm=firm, data={"description": "A"}
        )
    target, valid = {
        # Every field filled, so each one is hostile in turn for either kind.
        "reference": (
            url(world, "reference-create", firm.pk),
            individual(referrer_firm=referrer.pk, referrer_search="Host"),
        ),
        "sample-create": (url(world, "sample-create", firm.pk), sample_data(world)),
        "sample-edit": (url(world, "sample-edit", firm.pk, sample.pk), sample_data(world)),
    }[form]
    client.force_login(world.executive.user)
    for field in [*valid, "find"]:
        for value in HOSTILE:
            before = counts()
            response = client.post(target, {**valid, field: value})
            assert response.status_code in ALLOWED, (field, value[:20], response.status_code)
            if response.status_code != 302:
                assert counts() == before, (field, value[:20])
            with scopes_disabled():
                Reference.objects.all().delete()
    with scopes_disabled():
        for row in Sample.objects.all():
            assert "\x00" not in row.description + row.tracking_number + row.feedback


def count_queries(client, target, **kwargs):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(target, **kwargs)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_tabs_have_fixed_query_budgets(client, world):
    firm = make_firm(world, "Budget", sales_rep=world.employee)

    def add_rows(n, start):
        for i in range(start, start + n):
            other = make_firm(world, f"Other {i}")
            with scope(tenant=world.tenant.pk):
                reference_create(
                    tenant=world.tenant, actor=world.executive.user, firm=firm,
                    data={"kind": "corporate", "referrer_firm": other},
                )  # fmt: skip
                reference_create(
                    tenant=world.tenant, actor=world.executive.user, firm=other,
                    data={"kind": "corporate", "referrer_firm": firm},
                )  # fmt: skip
                sample_create(
                    tenant=world.tenant, actor=None, firm=firm,
                    data={"description": f"S{i}", "sent_by": world.manager},
                )  # fmt: skip

    add_rows(1, 0)
    client.force_login(world.manager.user)
    pages = [
        url(world, "firm-references", firm.pk),
        url(world, "firm-samples", firm.pk),
        url(world, "reference-create", firm.pk),
    ]
    few = [count_queries(client, target) for target in pages]
    fragments = [count_queries(client, target, headers={"HX-Request": "true"}) for target in pages]
    add_rows(12, 1)
    assert [count_queries(client, target) for target in pages] == few
    assert [
        count_queries(client, target, headers={"HX-Request": "true"}) for target in pages
    ] == fragments
    assert max(few) <= 20 and max(fragments) <= 14
