"""Hostile: blocks every signal it can, then waits inside C code that nothing interrupts."""

import ctypes
import signal


def _stuck_in_c():
    signal.pthread_sigmask(signal.SIG_BLOCK, set(signal.Signals) - {signal.SIGKILL, signal.SIGSTOP})
    ctypes.CDLL(None).pause()


def get_balances(conn):
    _stuck_in_c()


def transfer(conn, from_name, to_name, amount):
    _stuck_in_c()
