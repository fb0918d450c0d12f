"""Run every benchmark in bench/ and print their results (`make bench`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

for script in sorted(HERE.glob("*.py")):
    if script.name in ("run.py", "common.py"):
        continue
    print(f"== {script.stem}", flush=True)
    subprocess.run([sys.executable, str(script)], check=True)
