"""Hostile: leaves a detached background process behind that would outlive grading."""

import os
import time


def _daemon():
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            while True:
                time.sleep(0.05)
        os._exit(0)


def get_balances(conn):
    _daemon()
    return {}


def transfer(conn, from_name, to_name, amount):
    _daemon()
    return {}
