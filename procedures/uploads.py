"""Checks on files citizens upload: size, and the real type sniffed from the content.

The browser's ``Content-Type`` and the file name are the user's claims; the first bytes are what
the procedure owner will actually open, so the type is decided from them, and the name is replaced by
a safe one with that type's extension (``procedures.filenames``) before anything is stored.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from procedures.filenames import safe_filename

# Magic numbers of the document types a procedure accepts as an upload.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)

ALLOWED_TYPES_LABEL = "PDF, PNG, JPEG"


def sniff_content_type(head: bytes) -> str | None:
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def validate_upload(upload: UploadedFile, *, max_bytes: int) -> str:
    """Return the sniffed content type, or raise ``ValidationError`` with a message for the user.

    An accepted upload is renamed: ``upload.name`` becomes the safe name it is stored and served under.
    """
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(
            _("The file is too large (%(size)s). The maximum is %(max)s.")
            % {"size": filesizeformat(upload.size), "max": filesizeformat(max_bytes)},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff_content_type(head)
    if content_type is None:
        raise ValidationError(
            _("This type of file is not accepted. Upload one of: %(types)s.")
            % {"types": ALLOWED_TYPES_LABEL},
            code="bad_type",
        )
    upload.name = safe_filename(upload.name or "", content_type=content_type)
    return content_type
