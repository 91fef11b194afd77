"""Hostile: returns objects that claim to equal anything, and raise any 'exception' asked."""


class Agreeable(dict):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = None


def get_balances(conn):
    return Agreeable()


def transfer(conn, from_name, to_name, amount):
    return Agreeable()
