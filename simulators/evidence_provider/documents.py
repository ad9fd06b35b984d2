"""Evidence files made at run time (no binary committed): a one-page PDF, a PNG, an XML evidence."""

from __future__ import annotations

import datetime as dt
import functools
import os
import struct
import zlib
from typing import Final

from lxml import etree

XML_EVIDENCE_NS: Final = "urn:oots-portal:simulator:evidence:1.0"


def _pdf_text(value: str) -> str:
    """A PDF literal string in WinAnsi (what the base-14 Helvetica can show); other characters become '?'."""
    encoded = value.encode("cp1252", errors="replace").decode("latin-1")
    return "(" + encoded.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


@functools.lru_cache(maxsize=4)
def _filler(size: int) -> bytes:
    """Random (incompressible) bytes, made once per size and process: a benchmark's evidence of megabytes
    is padded by every answer, and drawing a fresh megabyte each time cost the simulator 5 % of its CPU."""
    return os.urandom(size)


def sample_pdf(lines: list[str], *, min_size: int = 0) -> bytes:
    """A valid one-page PDF 1.4 showing ``lines`` (first in bold), with a correct cross-reference table.

    ``min_size`` pads the file with an unreferenced stream of random (incompressible) bytes, as a scanned
    document would be: for benchmarks and size limits (``OOTS_EP_SIM_EVIDENCE_BYTES``).
    """
    stream_lines = ["BT", "/F2 16 Tf", "72 770 Td", "20 TL"]
    for index, line in enumerate(lines):
        if index == 1:
            stream_lines.append("/F1 11 Tf")
        stream_lines.append(f"{_pdf_text(line)} Tj T*")
    stream_lines.append("ET")
    content = "\n".join(stream_lines).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
    ]
    padding = min_size - 700 - len(content)  # 700: about the size of the rest of the file
    if padding > 0:
        objects.append(b"<< /Length %d >>\nstream\n" % padding + _filler(padding) + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def sample_png(width: int = 64, height: int = 32, rgb: tuple[int, int, int] = (0, 51, 153)) -> bytes:
    """A valid PNG of one colour (an "EU blue" seal stand-in)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def sample_xml(
    *, title: str, subject: dict[str, str], issuer: str, issued: dt.date, evidence_id: str
) -> bytes:
    """A small structured evidence (the simulator's own vocabulary, named in ``Distribution/ConformsTo``)."""
    root = etree.Element(f"{{{XML_EVIDENCE_NS}}}Evidence", nsmap={None: XML_EVIDENCE_NS})
    root.set("id", evidence_id)
    for name, value in (("Title", title), ("IssuingAuthority", issuer), ("IssuingDate", issued.isoformat())):
        etree.SubElement(root, f"{{{XML_EVIDENCE_NS}}}{name}").text = value
    about = etree.SubElement(root, f"{{{XML_EVIDENCE_NS}}}Subject")
    for name, value in subject.items():
        etree.SubElement(about, f"{{{XML_EVIDENCE_NS}}}{name}").text = value
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
