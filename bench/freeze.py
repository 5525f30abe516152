"""The offline copy with its PDFs, side by side in one run: an earlier commit's code and this one.

    python bench/freeze.py [--base 11428e6] [--rounds 3] [--base-rounds N] [--lang en ...]

Checks the earlier commit out in a temporary git worktree, then, round after round, times
`workshop freeze` of each code twice into a new folder: from cold (every page written, every
PDF printed), then again with nothing changed (this code keeps the PDFs it printed from the
same pages; the earlier code prints them all again). Each freeze is the real command, in a
process of its own, with the built-in content in every language and the installed browser.
Prints each run as it ends, then a Markdown table: the median of the rounds, with the lowest
and highest in brackets, and the machine's load (1-minute average) around the runs, so that a
busy machine shows in the figures.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = ("cold", "unchanged")


def load() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def freeze(code: Path, destination: Path, data: Path, languages: list[str]) -> tuple[float, str]:
    """Seconds one `workshop freeze` took, and its line about PDFs."""
    env = {**os.environ, "PYTHONPATH": str(code), "WORKSHOP_DATA_DIR": str(data), "WORKSHOP_PDFS": "true"}
    env.pop("WORKSHOP_LANGUAGES", None)
    if languages:  # the earlier code has no --lang: the setting does the same for both
        env["WORKSHOP_LANGUAGES"] = json_list(languages)
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "workshop", "freeze", str(destination)],
        env=env,
        cwd=code,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if result.returncode:
        raise SystemExit(f"freeze with {code} failed:\n{result.stderr}")
    pdfs = re.search(r"^PDFs: .*$", result.stdout, re.M)
    return seconds, pdfs.group(0) if pdfs else "no PDFs"


def json_list(items: list[str]) -> str:
    return "[" + ", ".join(f'"{item}"' for item in items) + "]"


def spread(values: list[float]) -> str:
    middle = f"{statistics.median(values):.1f} s"
    return middle if len(values) == 1 else f"{middle} ({min(values):.1f}–{max(values):.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", default="11428e6", help="the earlier commit to compare with")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--base-rounds", type=int, help="rounds of the earlier code, if fewer (it takes minutes a round)"
    )
    parser.add_argument("--lang", action="append", default=[], help="only these languages (default: all)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        earlier = scratch / "earlier"
        add = ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(earlier), options.base]
        subprocess.run(add, check=True, capture_output=True)
        try:
            codes = {f"before ({options.base})": earlier, "now": ROOT}
            times = {(name, case): [] for name in codes for case in CASES}
            loads = {name: [] for name in codes}
            for code in codes.values():  # compiles each code's catalogs once, outside the timing
                subprocess.run(
                    [sys.executable, "-m", "workshop", "check"],
                    cwd=code,
                    capture_output=True,
                    env={**os.environ, "PYTHONPATH": str(code)},
                )
            for number in range(1, options.rounds + 1):
                for name, code in codes.items():
                    if code == earlier and number > (options.base_rounds or options.rounds):
                        continue
                    destination = scratch / f"copy-{number}-{len(loads[name])}" / "offline"
                    for case in CASES:
                        before = load()
                        seconds, pdfs = freeze(code, destination, scratch / "data", options.lang)
                        loads[name] += [before, load()]
                        times[name, case].append(seconds)
                        print(
                            f"round {number}, {name}, {case}: {seconds:.1f} s, {pdfs} "
                            f"(load {before:.1f} → {load():.1f})",
                            flush=True,
                        )
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(earlier)], capture_output=True
            )
    print(f"\n{os.cpu_count()} cores; the median of the rounds (lowest–highest)\n")
    print("| code | rounds | cold | unchanged | load (1 min) |")
    print("|---|---|---|---|---|")
    for name in codes:
        rounds, load_range = len(times[name, "cold"]), f"{min(loads[name]):.1f}–{max(loads[name]):.1f}"
        cold, unchanged = spread(times[name, "cold"]), spread(times[name, "unchanged"])
        print(f"| {name} | {rounds} | {cold} | {unchanged} | {load_range} |")


if __name__ == "__main__":
    main()
