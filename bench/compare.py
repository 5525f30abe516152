"""Side by side in one run: each server and transport, each class size, each run repeated.

    python bench/compare.py [--pupils 300 1000] [--runs 3] [--only NAME ...] [--cores split]
                            [--against COMMIT]

Runs bench/live_load.py once per configuration, size and repeat, one after another, and prints
a Markdown table: for each figure the lowest, median and highest of the runs (at least three
runs make a spread worth reading). The machine's load (1-minute average) is printed for each
run, so a busy machine shows in the figures.

`--against COMMIT` measures that commit's workshop (checked out into a temporary folder with
`git worktree`) beside this one, each configuration's runs taken in turn (this, that, this,
that...), so that whatever else the machine does weighs on both alike.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from contextlib import contextmanager
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
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--against", help="a commit whose workshop is measured beside this one")
    parser.add_argument("--only", nargs="+", help="configurations whose name contains one of these")
    parser.add_argument("--cores", choices=("split", "shared"), default="split")
    parser.add_argument("extra", nargs="*", help="more live_load.py options, after --")
    args = parser.parse_args()
    chosen = {
        name: options
        for name, options in CONFIGURATIONS.items()
        if not args.only or any(part in name for part in args.only)
    }
    with checked_out(args.against) as other:
        codes = {"this code": str(HERE.parent)} | ({f"at {args.against}": other} if other else {})
        print(header())
        failed = False
        for pupils in args.pupils:
            for name, options in chosen.items():
                runs: dict[str, list[dict]] = {code: [] for code in codes}
                for _ in range(args.runs):
                    for code, folder in codes.items():
                        figures = one_run(pupils, args.cores, [*options, "--code", folder, *args.extra])
                        failed = (
                            failed or figures is None or figures["answers stored"] != figures["answers sent"]
                        )
                        if figures:
                            runs[code].append(figures)
                for code, done in runs.items():
                    if done:
                        label = f"{name}, {code}" if len(codes) > 1 else name
                        print(row(label, pupils, done), flush=True)
    return 1 if failed else 0


def one_run(pupils: int, cores: str, options: list[str]) -> dict | None:
    """One run of live_load.py: its figures, or None (with why on stderr) if it printed none."""
    result = subprocess.run(
        [sys.executable, str(HERE / "live_load.py"), "--json", "--runs", "1", "--pupils", str(pupils),
         "--cores", cores, *options],
        capture_output=True, text=True,
    )  # fmt: skip
    lines = result.stdout.strip().splitlines()
    if not lines:
        print(f"<!-- {pupils} pupils, {options}: {result.stderr.strip()[-300:]} -->", file=sys.stderr)
        return None
    return json.loads(lines[-1])


@contextmanager
def checked_out(commit: str | None):
    """That commit's tree in a temporary folder (a detached git worktree) while in use; None for none."""
    if not commit:
        yield None
        return
    folder = Path(tempfile.mkdtemp(prefix="workshop-bench-code-")) / "tree"
    git = ["git", "-C", str(HERE.parent)]
    subprocess.run(
        [*git, "worktree", "add", "--detach", str(folder), commit], check=True, capture_output=True
    )
    try:
        yield str(folder)
    finally:
        subprocess.run([*git, "worktree", "remove", "--force", str(folder)], check=False, capture_output=True)


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
    """Lowest / median / highest ms over the runs (one value for one run)."""
    if not values:
        return "–"
    if len(values) == 1:
        return f"{values[0]:,.0f}"
    return " / ".join(f"{value:,.0f}" for value in (min(values), statistics.median(values), max(values)))


if __name__ == "__main__":
    sys.exit(main())
