"""Hostile: every function spins forever in pure Python."""


def get_balances(conn):
    while True:
        pass


def transfer(conn, from_name, to_name, amount):
    while True:
        pass
