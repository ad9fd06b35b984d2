"""Fuzz the EDM parser/validator and the WS-plugin SOAP reader with damaged real messages.

    .venv/bin/python bench/fuzz.py [--inputs 100000] [--seed 1]

Prints inputs per second, how many were refused with a typed error, any unhandled exception (with the
input saved under var/fuzz-crashes/), and the peak resident memory. Exit 1 when an input escaped as an
unhandled exception. Only local files are read; nothing goes on the network.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from oots_client.access_point import MalformedSoapError  # noqa: E402
from oots_client.access_point.inspect import inspect_message  # noqa: E402
from oots_client.edm import EdmError, parse_message, validate_message  # noqa: E402
from tests.security.fuzzing import mutate, seeds, soap_seeds  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    corpus = seeds(ROOT / "tests" / "data")
    envelopes = soap_seeds(corpus)
    rng = random.Random(args.seed)
    crashes = ROOT / "var" / "fuzz-crashes"
    counts = {"edm accepted": 0, "edm refused": 0, "soap read": 0, "soap refused": 0, "unhandled": 0}
    start = time.perf_counter()
    for index in range(args.inputs):
        soap_case = index % 4 == 3
        data = mutate(rng.choice(envelopes if soap_case else corpus), rng)
        try:
            if soap_case:
                inspect_message(data)
                counts["soap read"] += 1
            else:
                parse_message(data)
                validate_message(data, schematron=False)
                counts["edm accepted"] += 1
        except MalformedSoapError:
            counts["soap refused"] += 1
        except EdmError:
            counts["edm refused"] += 1
        except Exception:  # exactly what this run looks for
            counts["unhandled"] += 1
            crashes.mkdir(parents=True, exist_ok=True)
            (crashes / f"input-{index}.xml").write_bytes(data)
            (crashes / f"input-{index}.txt").write_text(traceback.format_exc())
    elapsed = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.inputs} inputs in {elapsed:.1f} s ({args.inputs / elapsed:.0f}/s), seed {args.seed}")
    for name, value in counts.items():
        print(f"  {name:>14}: {value}")
    print(f"  peak RSS: {peak_mb:.0f} MB")
    if counts["unhandled"]:
        print(f"unhandled exceptions: inputs saved in {crashes}")
    return 1 if counts["unhandled"] else 0


if __name__ == "__main__":
    sys.exit(main())
