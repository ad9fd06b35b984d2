"""Settings overlay of ``bench/journey.py``: the portal's own settings, with a URLconf that adds the floor
view (``bench/urls.py``). Never used outside the benchmark."""

import os

from portal.settings import *  # noqa: F403
from simulators.eidas_idp.personas import PERSONAS, Persona

ROOT_URLCONF = "bench.urls"
# The benchmark speaks plain HTTP on loopback (in production a TLS terminator sits in front, and these stay
# on): the driver's cookie jar would not send Secure cookies back over http.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

# One test person per simulated citizen (the test IdP's own personas are a handful, and the portal keeps one
# draft per person and procedure): Jan Peeters's attributes with an identifier of their own. No scenario name
# in them, so the provider simulator answers with its default (immediate).
for _n in range(int(os.environ.get("BENCH_CITIZENS", "0"))):
    PERSONAS[f"bench-{_n}"] = Persona(
        f"bench-{_n}", "BE", "Jan", "Peeters", "1985-07-31", f"BE/BE/bench{_n:05d}", place_of_birth="Leuven"
    )
