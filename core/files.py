"""Private files: upload policies checked by content, generated names, permission-checked serving.

Files live in the default storage (local file system or S3) under generated names; nothing is
served from a public URL. The user's file name is kept as data.
"""

import mimetypes
import os
import uuid
from dataclasses import dataclass

import filetype
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

EXTENSIONS = {
    "application/pdf": {".pdf"},
    "image/jpeg": {".jpg", ".jpeg"},
    "image/png": {".png"},
    "image/bmp": {".bmp"},
    "image/webp": {".webp"},
}


@dataclass(frozen=True)
class UploadPolicy:
    """What one upload field accepts: content types (detected from the bytes) and a size."""

    content_types: frozenset
    max_size: int

    @property
    def accept(self):
        """The value for an ``<input accept=...>`` attribute."""
        exts = sorted(ext for ct in self.content_types for ext in EXTENSIONS.get(ct, ()))
        return ",".join(exts)


DOCUMENT_POLICY = UploadPolicy(
    frozenset({"application/pdf", "image/jpeg", "image/png"}), 10 * 1024 * 1024
)
PHOTO_POLICY = UploadPolicy(frozenset({"image/jpeg", "image/png", "image/webp"}), 5 * 1024 * 1024)


def clean_upload(upload, policy):
    """Validate an uploaded file against ``policy``; return ``(original_name, content_type)``."""
    name = (upload.name or "").strip()
    if not name or any(ch in name for ch in "\x00\r\n/\\") or name.startswith("."):
        raise ValidationError(_("The file name is not acceptable."), code="name")
    if len(name) > 200:
        raise ValidationError(_("The file name is too long (200 characters at most)."))
    if upload.size > policy.max_size:
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(policy.max_size)},
            code="size",
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    content_type = kind.mime if kind else None
    if content_type not in policy.content_types:
        raise ValidationError(
            _("This kind of file is not accepted here. Allowed: %(types)s.")
            % {"types": policy.accept.replace(",", ", ")},
            code="type",
        )
    ext = os.path.splitext(name)[1].lower()
    if ext not in EXTENSIONS.get(content_type, {ext}):
        raise ValidationError(
            _("The file's name ends in “%(ext)s” but its content is %(type)s.")
            % {"ext": ext or "…", "type": content_type},
            code="extension",
        )
    return name, content_type


def generated_path(instance, filename):
    """``<tenant>/<app>/<model>/<random><ext>``: the stored name never comes from the user."""
    ext = os.path.splitext(filename)[1].lower()[:10]
    meta = instance._meta
    return f"{instance.tenant_id}/{meta.app_label}/{meta.model_name}/{uuid.uuid4().hex}{ext}"


def delete_after_commit(storage, *names):
    """Remove stored files once the transaction that stopped using them commits (a rollback
    keeps them). Empty names are skipped."""
    names = [name for name in names if name]
    if names:
        transaction.on_commit(lambda: [storage.delete(name) for name in names])


def serve(file_field, *, filename, content_type=None):
    """Stream a stored file as a download, never inline."""
    content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    response = FileResponse(
        file_field.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
