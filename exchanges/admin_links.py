"""A list of downloadable files for read-only admin pages (uploads, received evidence)."""

from __future__ import annotations

import mimetypes
import unicodedata
from collections.abc import Iterable

from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html, format_html_join


def file_links_html(files: Iterable[tuple[str, str, str, int]]) -> str:
    """``<ul>`` of links from ``(url, name, media type, size in bytes)``; a dash when there is none."""
    rows = [(url, name, media_type, filesizeformat(size)) for url, name, media_type, size in files]
    if not rows:
        return "—"
    return format_html("<ul>{}</ul>", format_html_join("", '<li><a href="{}">{}</a> ({}, {})</li>', rows))


# Evidence types first (mimetypes gives ".xsl" for application/xml), then the platform's table.
_EXTENSIONS = {
    "application/pdf": ".pdf",
    "application/xml": ".xml",
    "text/xml": ".xml",
    "application/json": ".json",
    "image/png": ".png",
    "image/jpeg": ".jpg",
}


def download_name(title: str, media_type: str, fallback: str = "evidence") -> str:
    """A file name made of a document's title and its type's extension ("Birth certificate.pdf"): no path
    separators, no control or bidirectional-override characters, at most 120 characters before the
    extension."""
    kept = "".join(
        " " if unicodedata.category(char)[0] in "CZ" and char != " " else char
        for char in title
        if char not in '/\\:*?"<>|'
    )
    stem = " ".join(kept.split())[:120].strip(" .") or fallback
    kind = media_type.split(";")[0].strip().lower()
    extension = _EXTENSIONS.get(kind) or (mimetypes.guess_extension(kind) if kind else None)
    return stem + (extension or "")
