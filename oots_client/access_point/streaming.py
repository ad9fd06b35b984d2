"""Reading a retrieved message with its evidence decoded while it arrives.

A retrieved 20 MB evidence is about 27 MB of base64 inside one XML element. Building the tree first would
hold that text in libxml2, then as a Python string, then decoded: several copies of the evidence at once.
Here the parser hands the payload text to an incremental base64 decoder as it is read, and the tree keeps
every other element as usual (empty ``value`` elements stand in for the payloads).
"""

from __future__ import annotations

import binascii
import re
from typing import Any, Final

import pybase64
from lxml import etree

from oots_client.access_point.errors import MalformedSoapError

_NOT_BASE64: Final = re.compile(r"[^A-Za-z0-9+/]")
_ALPHABET: Final = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
# Every byte but the 64 of the alphabet, deleted by bytes.translate (in C); "=" is restored at the end.
_NOT_ALPHABET_BYTES: Final = bytes(b for b in range(256) if b not in _ALPHABET)


def _alphabet_only(text: str) -> bytes:
    try:
        raw = text.encode("ascii")
    except UnicodeEncodeError:  # not base64 at all, or with stray characters: the slow, general way
        return _NOT_BASE64.sub("", text).encode("ascii")
    return raw.translate(None, _NOT_ALPHABET_BYTES)


class Base64Sink:
    """Decodes base64 text fed in pieces; whitespace and stray characters are dropped (liberal reading)."""

    def __init__(self) -> None:
        self._decoded = bytearray()
        self._rest = b""

    def feed(self, text: str) -> None:
        quads = self._rest + _alphabet_only(text)
        whole = len(quads) - len(quads) % 4
        self._rest = quads[whole:]
        if whole:
            self._decode(quads[:whole] if len(quads) != whole else quads)

    def _decode(self, quads: bytes) -> None:
        try:
            self._decoded += pybase64.b64decode(quads, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise MalformedSoapError(f"payload value is not base64: {exc}") from None

    def close(self) -> bytes:
        if self._rest:
            self._decode(self._rest + b"=" * (-len(self._rest) % 4))
            self._rest = b""
        return bytes(self._decoded)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class PayloadDivertingBuilder:
    """An lxml parser target: a normal tree, except the text of ``payload/value`` goes to a decoder."""

    def __init__(self) -> None:
        self._builder = etree.TreeBuilder()
        self._path: list[str] = []
        self._sink: Base64Sink | None = None
        self.payloads: list[bytes] = []  # decoded, in document order

    def start(self, tag: str, attrib: dict[str, str], nsmap: dict[str | None, str] | None = None) -> None:
        if _local(tag) == "value" and self._path and self._path[-1] == "payload":
            self._sink = Base64Sink()
        self._path.append(_local(tag))
        self._builder.start(tag, attrib, nsmap)  # type: ignore[call-arg, arg-type]

    def data(self, text: str) -> None:
        if self._sink is not None:
            self._sink.feed(text)
        else:
            self._builder.data(text)

    def end(self, tag: str) -> Any:
        self._path.pop()
        if self._sink is not None:
            self.payloads.append(self._sink.close())
            self._sink = None
        return self._builder.end(tag)

    def comment(self, text: str) -> None:
        self._builder.comment(text)

    def pi(self, target: str, data: str | None = None) -> None:
        self._builder.pi(target, data)

    def close(self) -> Any:
        return self._builder.close()
