"""Side by side in one run: each server and transport, each class size, each run repeated.

    python bench/compare.py [--pupils 300 1000] [--runs 2] [--only NAME ...] [--cores split]

Runs bench/live_load.py once per configuration, size and repeat, one after another, and prints
a Markdown table: for each figure the median of the runs, and the lowest and highest in
brackets when they differ. The machine's load (1-minute average, from `uptime`) is printed for
each configuration, so a busy machine shows in the figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

# name: live_load.py options. "today" is the set-up before long polling: waitress, a poll every
# 2 s (slower in a large class), and the page reloaded within a random second of seeing a change.
CONFIGURATIONS = {
    "waitress, polling every 2 s (today)": ["--transport", "poll", "--spread", "1", "--page", "whole"],
    "cheroot, polling every 2 s": ["--server", "cheroot", "--transport", "poll", "--spread", "1"],
    "gunicorn gthread, polling every 2 s": ["--server", "gunicorn", "--transport", "poll", "--spread", "1"],
    "waitress, lighter polling (1 s, no spread)": ["--server", "waitress", "--transport", "poll", "--poll=1"],
    "waitress, long polling": ["--server", "waitress", "--transport", "long"],
    "waitress, event stream": ["--server", "waitress", "--transport", "stream"],
    "cheroot, event stream": ["--server", "cheroot", "--transport", "stream"],
    "gunicorn gthread, event stream": ["--server", "gunicorn", "--transport", "stream"],
    "gunicorn gthread x2, event stream": ["--server", "gunicorn", "--workers", "2", "--transport", "stream"],
    "cheroot, long polling": ["--server", "cheroot", "--transport", "long"],
    "gunicorn gthread, long polling": ["--server", "gunicorn", "--transport", "long"],
    "gunicorn gthread x2, long polling": ["--server", "gunicorn", "--workers", "2", "--transport", "long"],
}
COLUMNS = [
    ("propagation state ms", "p50"),
    ("propagation state ms", "p95"),
    ("propagation state ms", "max"),
    ("propagation page ms", "p95"),
    ("whole class on the new page ms", "max"),
    ("answer to console count ms", "p95"),
    ("answer ms", "p95"),
    ("poll ms", "p95"),
    ("page ms", "p95"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, nargs="+", default=[300, 1000])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--only", nargs="+", help="configurations whose name contains one of these")
    parser.add_argument("--cores", choices=("split", "shared"), default="split")
    parser.add_argument("extra", nargs="*", help="more live_load.py options, after --")
    args = parser.parse_args()
    chosen = {
        name: options
        for name, options in CONFIGURATIONS.items()
        if not args.only or any(part in name for part in args.only)
    }
    print(header())
    failed = False
    for pupils in args.pupils:
        for name, options in chosen.items():
            runs = []
            for _ in range(args.runs):
                result = subprocess.run(
                    [sys.executable, str(HERE / "live_load.py"), "--json", "--pupils", str(pupils),
                     "--cores", args.cores, *options, *args.extra],
                    capture_output=True, text=True,
                )  # fmt: skip
                if result.returncode:
                    failed = True
                lines = result.stdout.strip().splitlines()
                if lines:
                    runs.append(json.loads(lines[-1]))
                else:
                    print(f"<!-- {name}, {pupils}: {result.stderr.strip()[-300:]} -->", file=sys.stderr)
            if runs:
                print(row(name, pupils, runs), flush=True)
    return 1 if failed else 0


def header() -> str:
    names = [f"{figure.split(' ms')[0]} {share}" for figure, share in COLUMNS]
    titles = ["configuration", "pupils", "cores", "answers sent = stored", *names, "errors", "load"]
    return "| " + " | ".join(titles) + " |\n|" + "---|" * len(titles)


def row(name: str, pupils: int, runs: list[dict]) -> str:
    answers = ", ".join(f"{run['answers sent']:,} = {run['answers stored']:,}" for run in runs)
    classes = runs[0]["classes"]
    size = f"{pupils:,}" + (f" in {classes} classes" if classes > 1 else "")
    cells = [name, size, runs[0]["cores"], answers]
    for figure, share in COLUMNS:
        values = [run[figure][share] for run in runs if run[figure]["n"]]
        cells.append(summary(values))
    cells.append(", ".join(str(run["errors"]) for run in runs))
    cells.append(", ".join(f"{run['load']:.1f}" for run in runs))
    return "| " + " | ".join(cells) + " |"


def summary(values: list[float]) -> str:
    """The median ms, with the lowest and highest run when they differ by a millisecond or more."""
    if not values:
        return "–"
    middle = f"{statistics.median(values):,.0f}"
    low, high = min(values), max(values)
    return middle if high - low < 1 else f"{middle} ({low:,.0f}–{high:,.0f})"


if __name__ == "__main__":
    sys.exit(main())
