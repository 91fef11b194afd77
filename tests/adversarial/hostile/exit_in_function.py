"""Hostile: tested functions call sys.exit(0) and os._exit(0)."""

import os
import sys


def get_balances(conn):
    sys.exit(0)


def transfer(conn, from_name, to_name, amount):
    os._exit(0)
