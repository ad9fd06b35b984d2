"""One backoff for every retry (``oots_client.retry.backoff_delay``): capped, doubling, jittered."""

from __future__ import annotations

import random

import pytest

from oots_client.retry import backoff_delay


def test_each_retry_waits_between_half_and_all_of_a_doubling_ceiling():
    rng = random.Random(7)
    for attempt, ceiling in [(1, 2.0), (2, 4.0), (3, 8.0), (4, 16.0)]:
        delays = [backoff_delay(attempt, base=2, cap=100, rng=rng) for _ in range(200)]
        assert ceiling / 2 <= min(delays) and max(delays) <= ceiling
        assert max(delays) - min(delays) > ceiling / 4  # jittered: not one value for everyone


def test_the_cap_bounds_every_delay_even_after_many_attempts():
    rng = random.Random(1)
    assert all(5 <= backoff_delay(attempt, base=3, cap=10, rng=rng) <= 10 for attempt in (5, 50, 5000))


def test_a_minimum_holds_under_a_small_cap():
    assert backoff_delay(1, base=4, cap=1, minimum=1) == 1


def test_attempts_count_from_one():
    with pytest.raises(ValueError, match="from 1"):
        backoff_delay(0, base=1, cap=1)
