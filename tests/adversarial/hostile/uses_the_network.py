"""Hostile: phones home to a listener on the grading machine's loopback address."""

import socket
from pathlib import Path


def _call_home():
    try:
        port = int(Path(__file__).with_name("port.txt").read_text())
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"leak")
    except (OSError, ValueError):
        pass


_call_home()


def get_balances(conn):
    _call_home()
    return {}


def transfer(conn, from_name, to_name, amount):
    _call_home()
    return {}
