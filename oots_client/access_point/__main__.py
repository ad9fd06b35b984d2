"""``python -m oots_client.access_point inspect FILE…``: print a JSON summary of WS-plugin SOAP messages.

Exit status: 0 when every file was read, 2 when one is not a readable SOAP message.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from oots_client.access_point.errors import MalformedSoapError
from oots_client.access_point.inspect import inspect_message


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m oots_client.access_point", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    inspect = commands.add_parser("inspect", help="summarise WS-plugin SOAP messages as JSON")
    inspect.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)

    status = 0
    results = []
    for path in args.files:
        try:
            results.append({"file": str(path), **inspect_message(path.read_bytes())})
        except (OSError, MalformedSoapError) as exc:
            print(f"{path}: {exc}", file=sys.stderr)
            status = 2
    if len(args.files) == 1 and results:
        print(json.dumps(results[0], indent=2, ensure_ascii=False))
    elif results:
        print(json.dumps(results, indent=2, ensure_ascii=False))
    return status


if __name__ == "__main__":
    sys.exit(main())
