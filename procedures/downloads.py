"""How the portal hands files to browsers: safe names, the real type, no caching, framing only where needed.

``file_response`` sends a stored file with the type sniffed from its first bytes, a name made safe by
``procedures.filenames`` with that type's extension (a PDF never downloads as ``poly.html``), both
``filename`` (an ASCII fallback) and ``filename*`` (RFC 6266 with RFC 5987's UTF-8 encoding),
``Cache-Control: private, no-store`` and ``nosniff``. ``framable_by_portal`` is the one exception to
``frame-ancestors 'none'``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import wraps
from typing import IO, Any
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.csp import CSP
from django.views.decorators.clickjacking import xframe_options_sameorigin

from procedures.filenames import safe_filename
from procedures.uploads import sniff_content_type

_OCTET_STREAM = "application/octet-stream"


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """``attachment`` (or ``inline``) with an ASCII ``filename`` for old clients and ``filename*``."""
    ascii_name = (
        unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii").replace('"', "")
    )
    ascii_name = re.sub(r"[^\x20-\x7e]", "", ascii_name).replace("\\", "_") or "download"
    disposition = "inline" if inline else "attachment"
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def served_type(head: bytes, declared: str) -> str:
    """The type to send: what the first bytes show, else the declared XML type, else octet-stream."""
    sniffed = sniff_content_type(head)
    if sniffed is not None:
        return sniffed
    media_type = declared.split(";")[0].strip().lower()
    if (media_type in {"application/xml", "text/xml"} or media_type.endswith("+xml")) and head.lstrip(
        b"\xef\xbb\xbf \t\r\n"
    ).startswith(b"<"):
        return "application/xml"
    return _OCTET_STREAM


def file_response(
    stream: IO[bytes], *, name: str, declared_type: str, inline: bool = False, fallback: str = "document"
) -> FileResponse:
    """Stream a stored file with the type its content shows and a safe name with that type's extension.

    ``inline`` is honoured only for what a browser shows safely (PDF, PNG, JPEG); anything else is a
    download.
    """
    head = stream.read(16)
    stream.seek(0)
    content_type = served_type(head, declared_type)
    inline = inline and content_type in {"application/pdf", "image/png", "image/jpeg"}
    response = FileResponse(stream, content_type=content_type)
    response["Content-Disposition"] = content_disposition(
        safe_filename(name, content_type=content_type, fallback=fallback), inline=inline
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def framable_by_portal(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let the portal's own pages frame this view's response (the inline PDF of received evidence).

    Every other response keeps ``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response._csp_config = {**settings.SECURE_CSP, "frame-ancestors": [CSP.SELF]}  # type: ignore[attr-defined]
        return response

    return xframe_options_sameorigin(wrapped)
