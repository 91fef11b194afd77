"""Hostile: tested functions raise KeyboardInterrupt and SystemExit."""


def get_balances(conn):
    raise KeyboardInterrupt


def transfer(conn, from_name, to_name, amount):
    raise SystemExit(0)
