"""The receipt's fonts, prepared once per deployment so that no process has to build them.

PDF's standard fonts know Windows-1252 only: Dvořák, Łukasz, Ștefan or Παπαδοπούλου would print with ``?``.
The receipt therefore embeds a TrueType font (DejaVu Sans by default: ``OOTS_RECEIPT_FONT`` and
``OOTS_RECEIPT_FONT_BOLD``, Debian's ``fonts-dejavu-core``), of which ReportLab embeds the glyphs each
document uses.

The whole DejaVu Sans (6,000 glyphs, hinting, OpenType layout) is more than a receipt needs, and costs in
every process (ReportLab parses it once per process) and in every receipt (the hinting travels with each
glyph). So the font is first *prepared*: reduced to the scripts of the EU's official languages (Latin with
its extensions, Greek, Cyrillic, their combining marks and common punctuation), without hinting or
OpenType layout tables (the receipt places glyphs by their advance widths), with its name table (copyright
and licence) kept. The result is a TrueType file of about 110 KB per weight, written into
``OOTS_RECEIPT_FONT_DIR`` by ``manage.py prepare_receipt_font`` (run by ``make demo`` and in the container
image), and otherwise by the first receipt that needs it, under a file lock so that the processes and
threads of a deployment build it once. Its name carries a digest of the source font and of the recipe: a
new font file or a new recipe is prepared anew, never mistaken for the old one.

Without its source font the receipt falls back to the PDF standard font Helvetica (a warning is logged).
Where the prepared font cannot be written (a read-only folder), the receipt embeds the source font as it is:
the same text, in larger files (a warning is logged).
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

# Basic Latin, Latin-1, Latin Extended-A and B (Romanian ș ț), IPA, spacing modifiers and combining marks,
# Greek, Cyrillic and its supplement, Latin Extended Additional, general punctuation (dashes, quotes, …),
# the euro sign, №, ™ and the replacement character (what prints for a character outside these).
RANGES = (
    (0x0020, 0x007E),
    (0x00A0, 0x036F),
    (0x0370, 0x03FF),
    (0x0400, 0x052F),
    (0x1E00, 0x1EFF),
    (0x2010, 0x205E),
    (0x20AC, 0x20AC),
    (0x2116, 0x2116),
    (0x2122, 0x2122),
    (0xFFFD, 0xFFFD),
)
REPLACEMENT = "\ufffd"
# Part of the prepared file's name: change it whenever _reduce() changes, so that a deployment prepares
# its fonts anew instead of using files made by the old recipe.
RECIPE = "eu-scripts-1"


class UnusableFont(Exception):
    """The font file cannot be read as a font."""


@dataclass(frozen=True)
class ReceiptFonts:
    """The TrueType files the receipt embeds (prepared, or the source fonts where they could not be)."""

    regular: Path
    bold: Path


def receipt_fonts() -> ReceiptFonts | None:
    """The receipt's fonts, prepared if need be; None (logged) when the regular source font is missing."""
    regular = _source(settings.OOTS_RECEIPT_FONT)
    if regular is None:
        logger.warning(
            "receipt font %s not found: the receipt PDF falls back to Helvetica", settings.OOTS_RECEIPT_FONT
        )
        return None
    bold = _source(settings.OOTS_RECEIPT_FONT_BOLD)
    if bold is None:
        logger.warning(
            "receipt bold font %s not found: headings print in the regular weight",
            settings.OOTS_RECEIPT_FONT_BOLD,
        )
        bold = regular
    directory = Path(settings.OOTS_RECEIPT_FONT_DIR)
    try:
        prepared_regular = _usable(regular, directory)
    except UnusableFont as exc:
        logger.warning("receipt font unusable (%s): the receipt PDF falls back to Helvetica", exc)
        return None
    try:
        prepared_bold = _usable(bold, directory)
    except UnusableFont as exc:
        logger.warning("receipt bold font unusable (%s): headings print in the regular weight", exc)
        prepared_bold = prepared_regular
    return ReceiptFonts(regular=prepared_regular, bold=prepared_bold)


def prepare(source: Path, directory: Path) -> Path:
    """The prepared form of ``source`` in ``directory``, built (under a file lock) if it is not there yet.

    Raises OSError when the folder cannot be written, UnusableFont when ``source`` is not a font.
    """
    target = directory / prepared_name(source)
    if target.is_file():
        return target
    directory.mkdir(parents=True, exist_ok=True)
    # flock() serialises the processes of the deployment and the threads of one process alike (each
    # opens the lock file anew); whoever waited finds the font made and returns it.
    with open(target.with_name(target.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.is_file():
            return target
        try:
            data = _reduce(source)
        except Exception as exc:  # fontTools raises many kinds on a damaged or foreign file
            raise UnusableFont(f"{source}: {exc}") from exc
        # Written under another name and renamed: a reader never sees half a font.
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.chmod(temporary, 0o644)  # read by the portal's user when prepared by another (image build)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    logger.info("receipt font %s prepared as %s (%d bytes)", source, target, len(data))
    return target


def prepared_name(source: Path) -> str:
    """``<stem>-<digest>.ttf``: the digest covers the source's bytes and the recipe."""
    stat = source.stat()
    suffix = ".otf" if source.suffix.lower() == ".otf" else ".ttf"  # what the file holds, as the source says
    return f"{source.stem}-{_digest(str(source), stat.st_size, stat.st_mtime_ns)}{suffix}"


@functools.cache
def _digest(path: str, size: int, mtime_ns: int) -> str:
    """Read once per process and font file (size and modification time in the key: a replaced file counts
    as new)."""
    digest = hashlib.sha256(RECIPE.encode())
    digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:16]


def _source(path: str) -> Path | None:
    source = Path(path)
    return source if source.is_file() else None


def _usable(source: Path, directory: Path) -> Path:
    try:
        return prepare(source, directory)
    except OSError as exc:  # the folder cannot be written: the receipt still prints, with the source font
        logger.warning(
            "receipt font %s could not be prepared in %s (%s): each receipt embeds the whole font, slowly "
            "(run manage.py prepare_receipt_font)",
            source,
            directory,
            exc,
        )
        return source


def _reduce(source: Path) -> bytes:
    """The font at ``source`` reduced to the EU's scripts, as TrueType bytes."""
    import io

    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.notdef_outline = True
    options.recommended_glyphs = True
    options.hinting = False  # on-screen and print rendering do without; a third of the size
    options.layout_features = []  # the receipt places glyphs by advance width (no text shaping)
    options.drop_tables += ["FFTM", "GDEF", "GPOS", "GSUB", "MATH", "hdmx", "kern"]
    options.name_IDs = ["*"]  # the copyright and licence notices travel with the font
    options.name_languages = ["*"]
    font = TTFont(source)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[code for low, high in RANGES for code in range(low, high + 1)])
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()
