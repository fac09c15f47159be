import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope

from accounts.models import EmployeeDocument
from core.models import AuditEntry

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")


def url(world, name, *args):
    return reverse(f"accounts:{name}", args=[world.tenant.slug, world.employee.pk, *args])


def upload(client, world, name, content, kind="diploma"):
    return client.post(
        url(world, "document-upload"),
        {"kind": kind, "file": SimpleUploadedFile(name, content), "note": ""},
    )


def stored(world):
    with scope(tenant=world.tenant.pk):
        return list(EmployeeDocument.objects.filter(employee=world.employee))


@pytest.mark.django_db
def test_upload_list_download(client, world):
    client.force_login(world.manager.user)
    response = upload(client, world, "diploma.pdf", PDF)
    assert response.status_code == 302
    (document,) = stored(world)
    assert document.original_name == "diploma.pdf"
    assert "diploma" not in document.file.name  # generated stored name
    assert document.file.name.startswith(f"{world.tenant.pk}/accounts/")
    page = client.get(url(world, "employee-documents"))
    assert "diploma.pdf" in page.text
    response = client.get(url(world, "document-download", document.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("cv.pdf", b"<html><script>alert(1)</script></html>", "not accepted"),
        ("big.pdf", PDF + b"0" * (10 * 1024 * 1024 + 1), "too large"),
        ("../../etc/passwd", b"root:x:0:0", "not accepted"),
        ("..\r\n", PDF, "name ends in"),
        ("photo.pdf", PNG, "content is image/png"),
    ],
)
def test_bad_upload_is_a_form_error_and_nothing_is_stored(client, world, name, content, message):
    client.force_login(world.executive.user)
    response = upload(client, world, name, content)
    assert response.status_code == 400
    assert message in response.text
    assert stored(world) == []


@pytest.mark.django_db
def test_hostile_file_name_is_kept_only_as_data(client, world):
    client.force_login(world.executive.user)
    response = upload(client, world, "../../../report.pdf", PDF)
    assert response.status_code == 302
    (document,) = stored(world)
    assert document.original_name == "report.pdf"
    assert ".." not in document.file.name


@pytest.mark.django_db
def test_photo_accepts_images_only(client, world):
    client.force_login(world.executive.user)
    assert upload(client, world, "me.pdf", PDF, kind="photo").status_code == 400
    assert upload(client, world, "me.png", PNG, kind="photo").status_code == 302


@pytest.mark.django_db
def test_replace_and_remove_keep_history(client, world):
    client.force_login(world.executive.user)
    upload(client, world, "v1.pdf", PDF)
    (first,) = stored(world)
    response = client.post(
        url(world, "document-replace", first.pk), {"file": SimpleUploadedFile("v2.pdf", PDF)}
    )
    assert response.status_code == 302
    documents = {d.original_name: d for d in stored(world)}
    assert documents["v1.pdf"].replaced_by == documents["v2.pdf"]
    assert documents["v2.pdf"].kind == "diploma"
    # The replaced version cannot be replaced again.
    again = client.post(
        url(world, "document-replace", first.pk), {"file": SimpleUploadedFile("v3.pdf", PDF)}
    )
    assert again.status_code == 400
    assert client.post(url(world, "document-remove", documents["v2.pdf"].pk)).status_code == 302
    documents = {d.original_name: d for d in stored(world)}
    assert documents["v2.pdf"].removed_at is not None
    page = client.get(url(world, "employee-documents"))
    assert "v1.pdf" in page.text and "v2.pdf" in page.text and "Removed" in page.text
    with scope(tenant=world.tenant.pk):
        summaries = list(AuditEntry.objects.values_list("summary", flat=True))
    assert any("Document removed" in s for s in summaries)


@pytest.mark.django_db
def test_another_tenants_document_is_404(client, world, other_world):
    client.force_login(other_world.executive.user)
    upload(client, other_world, "secret.pdf", PDF)
    (secret,) = stored(other_world)
    client.force_login(world.executive.user)
    response = client.get(url(world, "document-download", secret.pk))
    assert response.status_code == 404


def test_policy_accept_attribute():
    from core.files import DOCUMENT_POLICY

    assert DOCUMENT_POLICY.accept == ".jpeg,.jpg,.pdf,.png"
