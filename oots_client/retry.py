"""How long to wait before trying again: one definition for every retry of the portal (the Common Services
client, the sending of evidence requests, the hand-over to the authorities' back offices) and of the
simulators' pushes."""

from __future__ import annotations

import random

#: 2**60 times any base is past every cap: the exponent stops growing there (no float overflow).
_MAX_DOUBLINGS = 60


def backoff_delay(
    attempt: int, *, base: float, cap: float, minimum: float = 0.0, rng: random.Random | None = None
) -> float:
    """Seconds to wait before retry number ``attempt`` (1 for the first retry): capped exponential backoff
    with jitter, a random time between half and all of ``min(cap, base * 2 ** (attempt - 1))``, never less
    than ``minimum``. The jitter keeps parties that failed together (a receiver down, workers restarted at
    once) from all coming back at the same moment."""
    if attempt < 1:
        raise ValueError(f"attempt counts from 1, not {attempt}")
    ceiling = min(cap, base * 2.0 ** min(attempt - 1, _MAX_DOUBLINGS))
    return max(minimum, (rng or random).uniform(ceiling / 2, ceiling))
