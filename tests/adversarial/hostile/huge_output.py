"""Hostile: floods its output."""

import sys

_line = "spam " * 2000 + "\n"


def _flood():
    while True:
        sys.stdout.write(_line)


def get_balances(conn):
    _flood()


def transfer(conn, from_name, to_name, amount):
    _flood()
