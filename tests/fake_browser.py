"""A stand-in for Chrome, Edge or Chromium, put on PATH by tests/test_freeze_pdfs.py: it prints
with `--print-to-pdf`, or over the DevTools pipes, as a real one does, and can be told to refuse
one sheet or to hang with a helper process of its own, as a policy, an antivirus or a stuck
browser would.

FAKE_BROWSER_MODE: "devtools" answers on the pipes; "sheets" refuses them (as a browser whose
policy forbids being driven) and prints sheet by sheet. FAKE_FAIL: a part of the page's address
whose PDF it does not make. FAKE_HANG: a file where it writes its own and its helper's process
ids before it hangs. FAKE_LOG: a file where it writes the address of every page it prints.
"""

import base64
import json
import os
import subprocess
import sys
import time
from pathlib import Path

PDF = b"%PDF-1.4\n% a sheet printed by the fake browser\n%%EOF\n"
FAIL = os.environ.get("FAKE_FAIL") or "\0"
HANG = os.environ.get("FAKE_HANG")
LOG = os.environ.get("FAKE_LOG")


def printing(address: str) -> bool:
    """Whether the sheet at this address gets its PDF; hangs, with a helper, if told to."""
    if LOG:
        with open(LOG, "a", encoding="utf-8") as log:
            log.write(address + "\n")
    if HANG:
        helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        with open(HANG, "a", encoding="utf-8") as pids:
            pids.write(f"{os.getpid()} {helper.pid}\n")
        time.sleep(600)
    return FAIL not in address


def over_devtools() -> None:
    commands, answers = os.fdopen(3, "rb", 0), os.fdopen(4, "wb", 0)
    buffer, address = b"", ""

    def send(message: dict) -> None:
        answers.write(json.dumps(message).encode() + b"\0")

    while chunk := commands.read(1 << 16):
        buffer += chunk
        while b"\0" in buffer:
            raw, buffer = buffer.split(b"\0", 1)
            command = json.loads(raw)
            answer = {"id": command["id"], "result": {}, "sessionId": command.get("sessionId")}
            method = command["method"]
            if method == "Target.createTarget":
                answer["result"] = {"targetId": "tab"}
            elif method == "Target.attachToTarget":
                answer["result"] = {"sessionId": "session"}
            elif method == "Page.navigate":
                address = command["params"]["url"]
                send(answer)
                answer = {"method": "Page.loadEventFired", "params": {}, "sessionId": "session"}
            elif method == "Page.printToPDF":
                if printing(address):
                    answer["result"] = {"data": base64.b64encode(PDF).decode()}
                else:
                    answer = {"id": command["id"], "error": {"message": "Printing is disabled"}}
            send(answer)


if "--remote-debugging-pipe" in sys.argv:
    if os.environ.get("FAKE_BROWSER_MODE") != "devtools":
        sys.exit(1)
    over_devtools()
else:
    target = next(a.split("=", 1)[1] for a in sys.argv if a.startswith("--print-to-pdf="))
    if printing(sys.argv[-1]):
        Path(target).write_bytes(PDF)
