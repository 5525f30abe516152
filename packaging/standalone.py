"""The standalone app's program: the `workshop` command, for presenters without Python.

Double-clicked, it gets no arguments: it then serves the workshop to the classroom network
(`workshop serve --lan`) and opens the presenter's page. If it cannot start, the window stays
open until Enter is pressed, so that the reason can be read before the console closes.
"""

from __future__ import annotations

import sys

from workshop.cli import main

DOUBLE_CLICKED = ["serve", "--lan"]


def run() -> None:
    arguments = sys.argv[1:]
    try:
        main(arguments or DOUBLE_CLICKED, prog_name="safe-online-workshop")
    except SystemExit as stop:
        if not arguments and stop.code not in (0, None):
            input("Press Enter to close this window.")
        raise


if __name__ == "__main__":
    run()
