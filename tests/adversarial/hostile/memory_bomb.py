"""Hostile: grabs memory until something gives."""


def _bomb():
    hoard = []
    while True:
        hoard.append(bytearray(64 * 1024 * 1024))


def get_balances(conn):
    _bomb()


def transfer(conn, from_name, to_name, amount):
    _bomb()
