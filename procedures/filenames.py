"""Safe file names: what the portal stores and offers for download instead of the name it was given.

A file's name came from a citizen's computer or a provider's message: it is the sender's claim, like its
type. ``safe_filename`` keeps what a person reads in it and drops what deceives: folders, control and
bidi-override characters (a right-to-left override, U+202E, before ``fdp.exe`` shows ``evilexe.pdf``),
zero-width characters, names Windows reserves, and the sender's extension, replaced by the one of the type
sniffed from the content.
"""

from __future__ import annotations

import re
import unicodedata

EXTENSIONS = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "application/xml": "xml",
    "text/xml": "xml",
    "application/json": "json",
}
_MAX_STEM_CHARS = 120
# Characters Windows refuses in names, and the path separators of every system.
_FORBIDDEN = re.compile(r'[<>:"/\\|?*]')
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])$", re.IGNORECASE)


def extension_for(content_type: str) -> str:
    media_type = content_type.split(";")[0].strip().lower()
    if media_type in EXTENSIONS:
        return EXTENSIONS[media_type]
    return "xml" if media_type.endswith("+xml") else "bin"


def _visible(text: str) -> str:
    # Cc: control characters; Cf: format characters (bidi overrides and isolates, zero-width joiners,
    # the BOM); Co, Cs, Cn: private, surrogate and unassigned code points. Separators become spaces.
    kept = []
    for char in unicodedata.normalize("NFC", text):
        category = unicodedata.category(char)
        if category in {"Cc", "Cf", "Co", "Cs", "Cn"}:
            continue
        kept.append(" " if category in {"Zs", "Zl", "Zp"} else char)
    return "".join(kept)


def safe_filename(name: str, *, content_type: str, fallback: str = "document") -> str:
    """A name to store and to offer for download: readable, harmless, ending in the type's extension."""
    base = re.split(r"[/\\]", name or "")[-1]  # a browser may send a path
    stem = _FORBIDDEN.sub("_", _visible(base))
    stem = " ".join(stem.split())
    extension = extension_for(content_type)
    if "." in stem:
        stem = stem.rsplit(".", 1)[0]  # the sender's extension says nothing: the content does
    stem = stem.strip(" .")  # no hidden (".x") or trailing-dot names
    if stem.lower().endswith(f".{extension}"):
        stem = stem[: -len(extension) - 1].rstrip(" .")
    stem = stem[:_MAX_STEM_CHARS].rstrip(" .")
    if not stem or _WINDOWS_RESERVED.match(stem.split(".")[0]):
        stem = f"{fallback}-{stem}" if stem else fallback
    return f"{stem}.{extension}"
