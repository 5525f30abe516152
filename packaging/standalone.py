"""The standalone app's program: the `workshop` command, for presenters without Python.

Double-clicked, it gets no arguments: it then serves the workshop to the classroom network
(`workshop serve --lan`) and opens the presenter's page. If it cannot start, the window stays
open until Enter is pressed, so that the reason can be read before the console closes: a
refusal's plain sentence, or what went wrong in the app itself.
"""

from __future__ import annotations

import sys
import traceback

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
    except KeyboardInterrupt:
        raise
    except Exception:  # a fault of the app itself: said in the window, which stays open
        traceback.print_exc()
        print(
            "\nThe workshop stopped because of an error in the app (above). Nothing saved was lost:"
            "\nstart it again; if this happens again, send the lines above to whoever gave you the app."
        )
        if not arguments:
            input("Press Enter to close this window.")
        sys.exit(1)


if __name__ == "__main__":
    run()
