"""Rewrite the README's table of verify checks from the checks themselves.

    python tools/readme_checks.py          # rewrite README.md's table in place
    python tools/readme_checks.py --check  # exit 1 if the table is out of date

The table lists every check of ``signer.verify.every_check()`` with its description; the test
suite fails until it does, so a new check shows up in the README by running this.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from signer.verify import every_check  # noqa: E402

HEADER = "| check | what it requires |\n|---|---|\n"


def table() -> str:
    return HEADER + "\n".join(f"| `{c.name}` | {c.description} |" for c in every_check()) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="Only check; exit 1 if outdated.")
    args = parser.parse_args()
    readme = ROOT / "README.md"
    text = readme.read_text()
    pattern = re.compile(re.escape(HEADER) + r"(?:\|.*\|\n)*")
    if not pattern.search(text):
        print("README.md has no table of checks")
        return 1
    new = pattern.sub(lambda _m: table(), text, count=1)
    if args.check:
        if new != text:
            print("README.md's table of checks is out of date: python tools/readme_checks.py")
            return 1
        return 0
    readme.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
