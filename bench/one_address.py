"""How many devices and votes one network address gets into a live session.

    python bench/one_address.py [--seconds 60] [--checkout PATH] [--runs 3]

Starts `workshop serve` (from this checkout, or from another one given with `--checkout`, to
measure an older version side by side) on the built-in content, opens the first quiz question
of a session, and then, for `--seconds`, one script on one loopback address (127.0.3.3) does
what a pupil with a laptop could: join as a new device (dropping its cookie each time) and vote
with every device it got. It prints, per run, the devices that joined, the votes counted in the
presenter's console, and what the other requests were answered; then the spread over the runs.
Only loopback addresses are used.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from hostile_sockets import Device, free_port  # this folder's: a device on a loopback address

ROOT = Path(__file__).resolve().parent.parent
SCRIPT_ADDRESS = "127.0.3.3"


def one_run(checkout: Path, seconds: float) -> dict:
    port = free_port()
    data = tempfile.mkdtemp(prefix="one-address-")
    env = {**os.environ, "WORKSHOP_DATA_DIR": data, "PYTHONPATH": str(checkout)}
    env.pop("WORKSHOP_ADDRESS_DEVICES", None)  # the defaults, as shipped
    server = subprocess.Popen(
        [sys.executable, "-m", "workshop", "serve", "--port", str(port), "--no-browser"],
        cwd=checkout,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        key_url = next(line for line in iter(server.stdout.readline, "") if "key=" in line).split()[-1]
        presenter = Device(port, "127.0.0.1")
        presenter.request("GET", urlsplit(key_url).path + "?" + urlsplit(key_url).query)
        home = presenter.request("GET", "/en/presenter/").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', home).group(1)
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        started = f"csrf={csrf}&module=online-friends&band=13-16"
        presenter.request("POST", "/en/presenter/sessions/", started, form)
        code = re.search(r"/sessions/([A-Z0-9]{5})/", presenter.request("GET", "/en/presenter/").text).group(
            1
        )
        state = lambda: json.loads(presenter.request("GET", f"/presenter/sessions/{code}/state.json").text)  # noqa: E731
        while state()["phase"] != "open":
            presenter.request("POST", f"/en/presenter/sessions/{code}/next", f"csrf={csrf}", form)
        statuses: Counter = Counter()
        joined, question, choice = [], None, None
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            device = Device(port, SCRIPT_ADDRESS)
            joined_page = device.request("GET", f"/en/live/{code}/")
            status, page = joined_page.status, joined_page.text
            statuses[f"join {status}"] += 1
            if status != 200:
                time.sleep(0.05)
                continue
            joined.append(device)
            question = question or re.search(r'name="question" value="([^"]+)"', page).group(1)
            choice = choice or re.search(r'name="choice" value="([^"]+)"', page).group(1)
            body = json.dumps({"question": question, "choices": [choice]})
            voted = device.request(
                "POST", f"/en/live/{code}/answer", body, {"Content-Type": "application/json"}
            )
            statuses[f"vote {voted.status}"] += 1
        counted = state()
        return {"devices": counted["participants"], "votes": counted["answered"], "statuses": dict(statuses)}
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--checkout", type=Path, default=ROOT, help="the workshop's folder to run (default: this one)"
    )
    args = parser.parse_args()
    runs = []
    for number in range(1, args.runs + 1):
        figures = one_run(args.checkout.resolve(), args.seconds)
        runs.append(figures)
        print(f"run {number}: {figures['devices']} devices, {figures['votes']} votes; {figures['statuses']}")
    for name in ("devices", "votes"):
        values = [run[name] for run in runs]
        print(
            f"{name} from one address in {args.seconds:g} s:",
            f"min {min(values)}, median {statistics.median(values):g}, max {max(values)}",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
