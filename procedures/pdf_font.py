"""A TrueType font embedded in the receipt PDF, so that every EU citizen's name prints as written.

PDF's standard fonts know Windows-1252 only: Dvořák, Łukasz, Ștefan or Παπαδοπούλου would print with ``?``.
The receipt embeds a subset of a TrueType font (DejaVu Sans by default: ``OOTS_RECEIPT_FONT`` and
``OOTS_RECEIPT_FONT_BOLD``; Debian's ``fonts-dejavu-core``) as a composite (Type 0, Identity-H) font with a
ToUnicode map, so that text can be searched, copied and read aloud.

The subset covers the scripts of the EU's official languages, Latin (with its extensions), Greek and
Cyrillic, plus common punctuation. It is built once per process (0.15 to 0.25 s) and weighs about 59 KB
compressed per weight; a character outside it prints as U+FFFD.
"""

from __future__ import annotations

import functools
import io
import logging
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

# Basic Latin, Latin-1, Latin Extended-A and B, IPA, spacing modifiers and combining marks, Greek,
# Cyrillic, general punctuation (dashes, quotes, …), the euro sign, №, ™ and the replacement character.
_RANGES = (
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


@dataclass(frozen=True)
class EmbeddedFont:
    """A font subset ready to write into a PDF: glyph ids and widths by character, the font file."""

    postscript_name: str
    glyphs: dict[str, int]  # character → glyph id in the subset
    characters: dict[int, str]  # glyph id → the (first) character it shows, for the ToUnicode map
    widths: dict[int, int]  # glyph id → advance width in 1/1000 em
    bbox: tuple[int, int, int, int]
    ascent: int
    descent: int
    cap_height: int
    font_file: bytes  # the subset TrueType file, zlib-compressed (FlateDecode)
    font_file_length: int  # its uncompressed length (/Length1)

    def glyph_ids(self, text: str) -> list[int]:
        replacement = self.glyphs.get(REPLACEMENT, 0)
        return [self.glyphs.get(char, replacement) for char in text]

    def width(self, text: str, size: float) -> float:
        """The advance width of ``text`` at ``size`` points."""
        return sum(self.widths.get(gid, 0) for gid in self.glyph_ids(text)) * size / 1000


def _scaled(value: float, units_per_em: int) -> int:
    return round(value * 1000 / units_per_em)


_loading = threading.Lock()


def load(path: str) -> EmbeddedFont | None:
    """The font at ``path`` subset for the receipt, once per process; None (logged) when it cannot be read."""
    # One build per process: the threads of a gthread worker asking at once would each build it otherwise
    # (seen under load: sixteen 0.3 s builds on two busy cores).
    with _loading:
        return _load(path)


@functools.cache
def _load(path: str) -> EmbeddedFont | None:
    try:
        from fontTools import subset
        from fontTools.ttLib import TTFont, TTLibError
    except ImportError:  # pragma: no cover - fontTools is a dependency
        logger.warning("fontTools is not installed: the receipt PDF falls back to Helvetica")
        return None
    if not Path(path).is_file():
        logger.warning("receipt font %s not found: the receipt PDF falls back to Helvetica", path)
        return None
    try:
        font = TTFont(path)
        options = subset.Options()
        options.notdef_outline = True
        options.hinting = False  # on-screen and print rendering do without; a third of the size
        options.layout_features = []
        options.name_IDs = ["*"]  # the licence and copyright notices travel with the font
        options.name_languages = ["*"]
        options.drop_tables += ["FFTM"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=[code for low, high in _RANGES for code in range(low, high + 1)])
        subsetter.subset(font)
        out = io.BytesIO()
        font.save(out)
        data = out.getvalue()
        order = {name: gid for gid, name in enumerate(font.getGlyphOrder())}
        units = int(font["head"].unitsPerEm)
        glyphs = {chr(code): order[name] for code, name in font.getBestCmap().items()}
        characters: dict[int, str] = {}
        for char, gid in sorted(glyphs.items()):
            characters.setdefault(gid, char)
        widths = {gid: _scaled(font["hmtx"][name][0], units) for name, gid in order.items()}
        head, hhea = font["head"], font["hhea"]
        os2 = font.get("OS/2")
        cap_height = getattr(os2, "sCapHeight", 0) or hhea.ascent
        name = font["name"].getDebugName(6) or Path(path).stem
    except (TTLibError, OSError, KeyError, AssertionError) as exc:
        logger.warning("receipt font %s unusable (%s): the receipt PDF falls back to Helvetica", path, exc)
        return None
    return EmbeddedFont(
        postscript_name="".join(c for c in name if c.isalnum() or c in "-_") or "Font",
        glyphs=glyphs,
        characters=characters,
        widths=widths,
        bbox=tuple(_scaled(v, units) for v in (head.xMin, head.yMin, head.xMax, head.yMax)),  # type: ignore[arg-type]
        ascent=_scaled(hhea.ascent, units),
        descent=_scaled(hhea.descent, units),
        cap_height=_scaled(cap_height, units),
        font_file=zlib.compress(data, 9),
        font_file_length=len(data),
    )


def to_unicode_cmap(font: EmbeddedFont, used: set[int]) -> bytes:
    """The ToUnicode CMap of the glyphs ``used``: what a reader copies, searches or reads aloud."""
    by_gid = {gid: font.characters[gid] for gid in sorted(used) if gid in font.characters}
    entries = [
        b"<%04X> <%s>" % (gid, char.encode("utf-16-be").hex().upper().encode())
        for gid, char in by_gid.items()
    ]
    chunks = [entries[i : i + 100] for i in range(0, len(entries), 100)]  # at most 100 per block
    body = b"".join(b"%d beginbfchar\n%s\nendbfchar\n" % (len(chunk), b"\n".join(chunk)) for chunk in chunks)
    return (
        b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        b"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        b"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        + body
        + b"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"
    )
