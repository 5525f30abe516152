"""Running the workshop on the presenter's laptop with waitress, a real WSGI server."""

from __future__ import annotations

import errno
import io
import logging
import os
import socket
import sys
import threading
import webbrowser

import segno
from flask import Flask
from waitress import create_server

# A class of pupils polling at once needs more than waitress's 4 threads and 100 connections,
# and poll() instead of select(): select() cannot watch more than 1024 sockets, and waitress
# crashes outright when a large class pushes it past that.
THREADS = 16
CONNECTION_LIMIT = 2000  # the 1,000 pupils promised, with room for reconnecting devices


class PortInUse(Exception):
    """The port cannot be had; the message says why and what to do."""


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to host and port that no other program can share, or PortInUse.

    The server gets this very socket, so the port is checked and taken in one step. On
    Windows SO_REUSEADDR would let a second server bind a port already in use, so the socket
    asks for it exclusively there; elsewhere SO_REUSEADDR only allows a quick restart.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if hasattr(socket, "SO_EXCLUSIVEADDRUSE"):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)
    else:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise PortInUse(_port_problem(port, error)) from error
    return sock


# Windows reports a refused socket with its own code, not the POSIX one.
ACCESS_DENIED = {errno.EACCES, getattr(errno, "WSAEACCES", errno.EACCES)}


def _port_problem(port: int, error: OSError) -> str:
    other = 8000 if port < 1024 else port + 1
    if error.errno in ACCESS_DENIED and port < 1024 and os.name != "nt":
        return (
            f"Port {port} is reserved for the system administrator (ports below 1024 need special "
            f"rights). Choose another with --port, for example --port {other}."
        )
    if error.errno in ACCESS_DENIED:  # Windows also says this for ports it reserves itself
        return (
            f"Port {port} cannot be used: another program holds it, or the system reserves it. "
            f"Choose another with --port, for example --port {other}."
        )
    return (
        f"Port {port} is already in use (is the workshop already running?). "
        f"Choose another with --port, for example --port {other}."
    )


def quiet_queue_warnings() -> None:
    """waitress warns whenever requests queue for a moment: normal when a class answers at
    once, and alarming noise on a presenter's terminal."""
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)


def make_server(app: Flask, host: str, port: int):
    """A waitress server bound to host and port, or PortInUse with what to do about it."""
    listening = listening_socket(host, port)
    quiet_queue_warnings()
    return create_server(
        app,
        sockets=[listening],
        threads=THREADS,
        connection_limit=CONNECTION_LIMIT,
        asyncore_use_poll=True,
        ident="workshop",
    )


def terminal_qr(url: str) -> str:
    """The address as a QR code drawn with characters, for pupils to scan off the screen."""
    buffer = io.StringIO()
    segno.make(url, error="m").terminal(out=buffer, compact=True)
    return buffer.getvalue()


def open_in_browser(url: str) -> None:
    """Open the presenter's page in the default browser, without holding up the server:
    some browsers only return when they are closed."""
    if not _has_desktop():
        return  # a text-only browser would take over the terminal the server prints to
    threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()


def _has_desktop() -> bool:
    """Windows and macOS always have one; elsewhere a display server (or a chosen BROWSER)."""
    if sys.platform in ("win32", "darwin"):
        return True
    return any(os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER"))
