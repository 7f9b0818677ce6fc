"""`make bench`: run every bench/bench_*.py, then gather bench/results/*.md into BENCHMARKS.md.

`--collect` only gathers the result files the scripts last wrote (each script can also be run alone).
"""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def main() -> int:
    failed = []
    scripts = [] if "--collect" in sys.argv[1:] else sorted(HERE.glob("bench_*.py"))
    for script in scripts:
        print(f"== {script.name}", flush=True)
        if subprocess.run([sys.executable, str(script)], cwd=ROOT, check=False).returncode != 0:
            failed.append(script.name)
    sections = [p.read_text().strip() for p in sorted((HERE / "results").glob("*.md"))]
    head = (
        f"# Benchmarks\n\nGathered by `make bench` (`bench/run_all.py`) on {datetime.date.today().isoformat()}, "
        f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
        f"{_cores()} cores. Each section was written by the script it names (each runs alone too); "
        "timings are ratios against a peer measured in the same script, because the machine is shared.\n"
    )
    (ROOT / "BENCHMARKS.md").write_text(head + "\n" + "\n\n".join(sections) + "\n")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


def _cores() -> int:
    return os.cpu_count() or 0


if __name__ == "__main__":
    raise SystemExit(main())
