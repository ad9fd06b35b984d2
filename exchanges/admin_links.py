"""A list of downloadable files for read-only admin pages (uploads, received evidence)."""

from __future__ import annotations

from collections.abc import Iterable

from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html, format_html_join


def file_links_html(files: Iterable[tuple[str, str, str, int]]) -> str:
    """``<ul>`` of links from ``(url, name, media type, size in bytes)``; a dash when there is none."""
    rows = [(url, name, media_type, filesizeformat(size)) for url, name, media_type, size in files]
    if not rows:
        return "—"
    return format_html("<ul>{}</ul>", format_html_join("", '<li><a href="{}">{}</a> ({}, {})</li>', rows))
