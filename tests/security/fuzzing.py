"""Input mutators shared by the fuzz tests and ``bench/fuzz.py``: real messages, damaged at random."""

from __future__ import annotations

import random
from pathlib import Path

_TOKENS = [
    b"<",
    b">",
    b"</",
    b"/>",
    b"&",
    b"&amp;",
    b"&#0;",
    b"&#x110000;",
    b"<!DOCTYPE x [<!ENTITY a 'b'>]>",
    b"<![CDATA[",
    b"]]>",
    b"xmlns:",
    b'="',
    b"\x00",
    b"\xff\xfe",
    b"\xc3",
    b"rim:Slot",
    b"query:",
    b"urn:uuid:",
    b"<?xml version='1.0'?>",
    b"<!--",
    b"-->",
    b"cid:",
    b"xsi:type",
    b"\n" * 3,
]


def seeds(folder: Path) -> list[bytes]:
    """Real EDM and SOAP documents to start from."""
    return [p.read_bytes() for p in sorted(folder.rglob("*.xml")) if p.stat().st_size < 200_000]


def soap_seeds(corpus: list[bytes]) -> list[bytes]:
    return [seed for seed in corpus if b"http://www.w3.org/2003/05/soap-envelope" in seed[:3000]]


def mutate(data: bytes, rng: random.Random, rounds: int = 3) -> bytes:
    buffer = bytearray(data)
    for _ in range(rng.randint(1, rounds)):
        position = rng.randrange(len(buffer) + 1)
        action = rng.randrange(5)
        if action == 0 and buffer:  # delete a span
            del buffer[position : position + rng.randint(1, 64)]
        elif action == 1:  # insert a token
            buffer[position:position] = rng.choice(_TOKENS)
        elif action == 2 and buffer:  # flip bytes
            for offset in range(rng.randint(1, 8)):
                if position + offset < len(buffer):
                    buffer[position + offset] = rng.randrange(256)
        elif action == 3:  # duplicate a span (nesting, repeated slots)
            span = bytes(buffer[position : position + rng.randint(1, 256)])
            buffer[position:position] = span * rng.randint(1, 4)
        else:  # truncate
            del buffer[position:]
    return bytes(buffer)
