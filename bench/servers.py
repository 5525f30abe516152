"""The workshop under each WSGI server the load benchmark compares, as a command line.

    python bench/servers.py cheroot PORT

`workshop serve` is waitress, the shipped set-up. cheroot (pure Python, runs on Windows too)
is started by this file; gunicorn (Linux and macOS) by its own command. Every server gets as
many threads as `workshop serve` gives waitress: THREADS plus HELD_POLLS per process.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The code the server runs: this tree's, or another commit's checked out beside it (compare.py
# --against), so two versions of the workshop are measured by the same benchmark.
CODE = Path(os.environ.get("WORKSHOP_BENCH_CODE", ROOT))
sys.path.insert(0, str(CODE))

from workshop import create_app  # noqa: E402
from workshop.serve import CONNECTION_LIMIT, THREADS  # noqa: E402

SERVERS = ("waitress", "cheroot", "gunicorn")


def command(server: str, port: int, content: str, held_polls: int, workers: int = 1) -> list[str]:
    """The command that starts the workshop under this server on a loopback port."""
    if server == "waitress":
        return [
            sys.executable,
            "-m",
            "workshop",
            "--content",
            content,
            "serve",
            "--port",
            str(port),
            "--no-browser",
        ]
    if server == "cheroot":
        return [sys.executable, __file__, "cheroot", str(port)]
    if server == "gunicorn":
        return [
            sys.executable, "-m", "gunicorn",
            "--preload",  # the app (and its secret key file) is made once, before the workers fork
            "--worker-class", "gthread",
            "--workers", str(workers),
            "--threads", str(THREADS + held_polls),
            "--worker-connections", str(CONNECTION_LIMIT),
            "--backlog", "2048",
            "--keep-alive", "30",  # as long as a phone keeps its connection between two polls
            "--bind", f"127.0.0.1:{port}",
            "--log-level", "warning",
            "workshop:create_app()",
        ]  # fmt: skip
    raise ValueError(f"unknown server {server!r}: one of {', '.join(SERVERS)}")


def run_cheroot(port: int) -> None:
    from cheroot import wsgi

    app = create_app()  # settings from the environment, as the benchmark sets them
    server = wsgi.Server(
        ("127.0.0.1", port),
        app,
        numthreads=THREADS + app.config["HELD_POLLS"],
        request_queue_size=2048,
        timeout=30,
    )
    # cheroot keeps only 10 idle keep-alive connections by default: a class would reconnect
    # on every poll.
    server.keep_alive_conn_limit = CONNECTION_LIMIT
    try:
        server.start()
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    run_cheroot(int(sys.argv[2]))
