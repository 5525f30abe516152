"""Running the workshop on the presenter's laptop with waitress, a real WSGI server."""

from __future__ import annotations

import io
import logging
import socket

import segno
from flask import Flask
from waitress import create_server

# A class of pupils polling at once needs more than waitress's 4 threads and 100 connections,
# and poll() instead of select(): select() cannot watch more than 1024 sockets, and waitress
# crashes outright when a large class pushes it past that. Every held poll (watch.py) waits on
# a thread of its own, so the threads that answer requests come on top of those.
THREADS = 16
CONNECTION_LIMIT = 2000  # the 1,000 pupils promised, with room for reconnecting devices


class PortInUse(Exception):
    pass


def lan_address() -> str:
    """This computer's address on the local network, as other devices reach it.

    Connecting a UDP socket sends no packet: it only asks the system which interface
    it would use, so this works on a classroom network with no internet.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed, never contacted
            return probe.getsockname()[0]
        except OSError:
            return socket.gethostbyname(socket.gethostname())


def quiet_queue_warnings() -> None:
    """waitress warns whenever requests queue for a moment: normal when a class answers at
    once, and alarming noise on a presenter's terminal."""
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)


def make_server(app: Flask, host: str, port: int):
    """A waitress server bound to host and port, or PortInUse with what to do about it."""
    # Try the port with a socket of our own first: waitress leaves its socket open on failure.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as trial:
        trial.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as waitress does
        try:
            trial.bind((host, port))
        except OSError as error:
            raise PortInUse(
                f"Port {port} is already in use (is the workshop already running?). "
                f"Choose another with --port, for example --port {port + 1}."
            ) from error
    quiet_queue_warnings()
    return create_server(
        app,
        host=host,
        port=port,
        threads=THREADS + app.config["HELD_POLLS"],
        connection_limit=CONNECTION_LIMIT,
        asyncore_use_poll=True,
        ident="workshop",
    )


def terminal_qr(url: str) -> str:
    """The address as a QR code drawn with characters, for pupils to scan off the screen."""
    buffer = io.StringIO()
    segno.make(url, error="m").terminal(out=buffer, compact=True)
    return buffer.getvalue()
