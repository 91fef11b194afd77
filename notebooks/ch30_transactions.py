# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Chapter 30 · Two connections, one rollback, one flash sale
#
# Transactions are invisible when only one connection touches the database. This notebook
# opens several at once, on one SQLite file, so you can watch what each of them sees:
#
# 1. **Isolation**: connection A changes a balance inside a transaction; connection B keeps
#    seeing the old value until A commits, and never sees a change A rolls back.
# 2. **Atomic transfers**: your `transfer()` from `exercises/ch30/transfer_rollback.py` (or a
#    demo) moves money, refuses an overdraft, and a second connection confirms that a failed
#    transfer left no trace. A plot shows the total never changes.
# 3. **A flash sale**: 200 buyers on 8 threads compete for 20 items. The naive
#    "check, then update" code oversells; the same logic inside `BEGIN IMMEDIATE` does not.
#
# The database files live in a temporary folder that the last code cell removes.

# %%
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor

import matplotlib.pyplot as plt
from course_helpers import (
    ScratchFolder,
    check_prediction,
    check_value,
    load_exercise,
)

scratch = ScratchFolder(prefix="ch30_")  # the databases live here; the last cell removes it
fresh_file = scratch.fresh_file

# %% [markdown]
# **Predict first.** In the next section connection A subtracts 100 from Alice's balance of
# 1000 inside a transaction, and connection B reads her balance *before A commits*. What
# number does B see? Write it in place of the `...`, run the cell, then run the section.

# %% tags=["predict"] answer="ch30_dirty_read"
b_sees_before_commit = ...

# %% [markdown]
# ## 1. What does the other connection see?
#
# Both connections use `isolation_level=None`, which means Python sends no hidden `BEGIN`:
# every transaction below starts and ends exactly where the code says. The file uses SQLite's
# WAL journal, where readers keep working while a writer is busy.
#
# **What to look at:** the "B sees" column. B never sees A's uncommitted 900 (no dirty
# read), never sees the rolled-back change at all, and sees A's committed change only once
# it has been committed. In the last steps B holds a read transaction open: while it lasts,
# B keeps reading the same snapshot even though A commits again (a repeatable read).

# %%
BANK = fresh_file("ch30_bank.db")
setup = sqlite3.connect(BANK, isolation_level=None)
setup.execute("PRAGMA journal_mode=WAL")
setup.execute("CREATE TABLE accounts (name TEXT PRIMARY KEY, balance INTEGER NOT NULL)")
setup.executemany("INSERT INTO accounts VALUES (?, ?)", [("Alice", 1000), ("Bob", 500)])
setup.close()

a = sqlite3.connect(BANK, isolation_level=None, timeout=5)
b = sqlite3.connect(BANK, isolation_level=None, timeout=5)


def alice(conn):
    return conn.execute("SELECT balance FROM accounts WHERE name = 'Alice'").fetchone()[0]


timeline = []


def step(description, *statements, on=a):
    for sql in statements:
        on.execute(sql)
    timeline.append((description, alice(a), alice(b)))


step("start")
step(
    "A: BEGIN; Alice -100",
    "BEGIN",
    "UPDATE accounts SET balance = balance - 100 WHERE name = 'Alice'",
)
step("A: ROLLBACK", "ROLLBACK")
step(
    "A: BEGIN; Alice -100; COMMIT",
    "BEGIN",
    "UPDATE accounts SET balance = balance - 100 WHERE name = 'Alice'",
    "COMMIT",
)
step("B: BEGIN (read transaction)", "BEGIN", on=b)
step(
    "A: Alice -100 (autocommit)", "UPDATE accounts SET balance = balance - 100 WHERE name = 'Alice'"
)
step("B: COMMIT (ends its snapshot)", "COMMIT", on=b)

print(f"{'step':<34}{'A sees':>8}{'B sees':>8}")
for description, seen_by_a, seen_by_b in timeline:
    print(f"{description:<34}{seen_by_a:>8}{seen_by_b:>8}")
a.close()
b.close()
assert timeline[1][2] == 1000, "B must not see A's uncommitted write"

# %%
check_prediction(
    b_sees_before_commit,
    timeline[1][2],
    explanation=(
        "B reads only committed data: SQLite never shows a connection another's uncommitted "
        "write (no dirty reads). Until A commits, B sees 1000; after A's ROLLBACK it never sees "
        "the 900 at all."
    ),
)

# %% [markdown]
# ## 2. An atomic transfer, watched from a second connection
#
# The next cell loads your `transfer(conn, from_name, to_name, amount)` and
# `get_balances(conn)`, and the exercise's own `create_accounts(conn)` to build the table.
# It first tries them on a scratch database; if they are still stubs or fail there, it tells
# you why and uses the demo below.


# %%
def demo_create_accounts(conn):
    with conn:
        conn.execute(
            "CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, "
            "balance INTEGER NOT NULL)"
        )
        conn.executemany(
            "INSERT INTO accounts (name, balance) VALUES (?, ?)", [("Alice", 1000), ("Bob", 500)]
        )


def demo_get_balances(conn):
    return dict(conn.execute("SELECT name, balance FROM accounts ORDER BY name"))


def demo_transfer(conn, from_name, to_name, amount):
    if amount <= 0:
        raise ValueError("amount must be positive")
    with conn:  # commits on success, rolls back if anything below raises
        for name in (from_name, to_name):
            if conn.execute("SELECT 1 FROM accounts WHERE name = ?", (name,)).fetchone() is None:
                raise ValueError(f"unknown account {name!r}")
        changed = conn.execute(
            "UPDATE accounts SET balance = balance - ? WHERE name = ? AND balance >= ?",
            (amount, from_name, amount),
        ).rowcount
        if changed != 1:
            raise ValueError(f"insufficient funds in {from_name!r}")
        conn.execute("UPDATE accounts SET balance = balance + ? WHERE name = ?", (amount, to_name))
    return demo_get_balances(conn)


def transfer_is_ready(module):
    create = getattr(module, "create_accounts", demo_create_accounts)
    try:
        scratch = sqlite3.connect(":memory:")
        create(scratch)
        module.transfer(scratch, "Alice", "Bob", 1)
        balances = dict(module.get_balances(scratch))
    except NotImplementedError:
        print("Your transfer_rollback.py is still a stub (NotImplementedError); using the demo.")
        return False
    except Exception as exc:
        print(f"Your transfer could not run here ({type(exc).__name__}: {exc}); using the demo.")
        return False
    if balances != {"Alice": 999, "Bob": 501}:
        print(f"Your get_balances returned {balances!r}; using the demo.")
        return False
    return True


learner = load_exercise("ch30/transfer_rollback.py")
if learner is not None and transfer_is_ready(learner):
    transfer, get_balances = learner.transfer, learner.get_balances
    create_accounts = getattr(learner, "create_accounts", demo_create_accounts)
    print("Using YOUR transfer() and get_balances().")
else:
    transfer, get_balances = demo_transfer, demo_get_balances
    create_accounts = demo_create_accounts
    print("Using the notebook's demo transfer() and get_balances().")

# %% [markdown]
# Now a sequence of transfers, some of which must fail. After each one, a *different*
# connection reads the balances: it can only see what was committed.
#
# **What to look at:** after a failed transfer the balances are exactly what they were before
# it (rollback), and the dashed total line is flat from start to end (money is neither
# created nor destroyed).

# %%
TRANSFERS = fresh_file("ch30_transfers.db")
writer = sqlite3.connect(TRANSFERS)
create_accounts(writer)
observer = sqlite3.connect(TRANSFERS)

operations = [
    ("Alice", "Bob", 200),
    ("Alice", "Bob", 5000),  # more than Alice has
    ("Bob", "Alice", 100),
    ("Bob", "Alice", -50),  # not a positive amount
    ("Alice", "Mallory", 10),  # no such account
    ("Bob", "Alice", 600),
]
labels, history = ["start"], [dict(get_balances(observer))]
for source, target, amount in operations:
    try:
        transfer(writer, source, target, amount)
        outcome = "ok"
    except Exception as exc:  # your version may raise something other than ValueError
        outcome = f"{type(exc).__name__}: {exc}"
    seen = dict(get_balances(observer))
    labels.append(f"{source}->{target} {amount}\n{'ok' if outcome == 'ok' else 'FAILED'}")
    history.append(seen)
    print(f"{source:>5} -> {target:<7} {amount:>5}: {outcome:<45} second connection sees {seen}")
writer.close()
observer.close()

# %%
fig, ax = plt.subplots(figsize=(9, 3.8))
steps = range(len(history))
for name, colour in (("Alice", "tab:blue"), ("Bob", "tab:orange")):
    ax.plot(steps, [h.get(name, 0) for h in history], marker="o", color=colour, label=name)
ax.plot(steps, [sum(h.values()) for h in history], linestyle="--", color="grey", label="total")
for x, label in enumerate(labels):
    if "FAILED" in label:
        ax.axvspan(x - 0.3, x + 0.3, color="tab:red", alpha=0.12)
ax.set_xticks(list(steps), labels, fontsize=8)
ax.set_ylabel("balance seen by a second connection")
ax.set_title("Failed transfers (red bands) change nothing; the total never moves")
ax.legend(loc="center right")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 3. A flash sale: check-then-update vs `BEGIN IMMEDIATE`
#
# 20 items, 200 buyers, 8 worker threads, each buyer on its own connection (as separate web
# requests would be). The buying logic is the same in both versions: read the stock, and if
# there is some, write back one less and record an order. A 1 ms pause between the read and
# the write stands in for the work a real request does there (and makes the race easy to
# see).
#
# - **naive**: each statement runs on its own, so many buyers read the same stock before
#   any of them writes.
# - **BEGIN IMMEDIATE**: the read and the write happen inside one transaction that takes the
#   database's write lock *before* reading, so the next buyer waits and then reads the new
#   stock.
# - **conditional UPDATE**: no read at all; `UPDATE ... SET stock = stock - 1 WHERE stock > 0`
#   lets the database do the check and the write as one step, and `rowcount` says whether
#   this buyer got an item.
#
# A `threading.Lock` around the naive code would also fix this demo, but only inside one
# Python process. A real shop runs several processes or servers; the database's lock is the
# one they all share.

# %% [markdown]
# **Predict first.** With the naive version, will the shop record exactly 20 orders, fewer
# than 20, or more than 20? Answer `"exactly 20"`, `"fewer"` or `"more"`.

# %% tags=["predict"] answer="ch30_oversell"
naive_orders_prediction = ...

# %%
SALE, STOCK, BUYERS, WORKERS = fresh_file("ch30_sale.db"), 20, 200, 8


def reset_sale():
    conn = sqlite3.connect(SALE, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.executescript(
        """
        DROP TABLE IF EXISTS items;
        DROP TABLE IF EXISTS orders;
        CREATE TABLE items (id INTEGER PRIMARY KEY, stock INTEGER NOT NULL);
        CREATE TABLE orders (id INTEGER PRIMARY KEY, buyer INTEGER NOT NULL);
        """
    )
    conn.execute("INSERT INTO items VALUES (1, ?)", (STOCK,))
    conn.close()


def buy_naive(conn, buyer):
    (stock,) = conn.execute("SELECT stock FROM items WHERE id = 1").fetchone()
    if stock <= 0:
        return False
    time.sleep(0.001)
    conn.execute("UPDATE items SET stock = ? WHERE id = 1", (stock - 1,))
    conn.execute("INSERT INTO orders (buyer) VALUES (?)", (buyer,))
    return True


def buy_immediate(conn, buyer):
    conn.execute("BEGIN IMMEDIATE")  # take the write lock now, before reading
    try:
        bought = buy_naive(conn, buyer)  # the very same logic, now inside one transaction
        conn.execute("COMMIT")
        return bought
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def buy_conditional(conn, buyer):
    conn.execute("BEGIN")
    try:
        taken = conn.execute(
            "UPDATE items SET stock = stock - 1 WHERE id = 1 AND stock > 0"
        ).rowcount
        if taken:
            conn.execute("INSERT INTO orders (buyer) VALUES (?)", (buyer,))
        conn.execute("COMMIT")
        return bool(taken)
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def run_sale(buy):
    reset_sale()

    def one_buyer(buyer):
        conn = sqlite3.connect(SALE, isolation_level=None, timeout=10)
        try:
            return buy(conn, buyer)
        finally:
            conn.close()

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        list(pool.map(one_buyer, range(BUYERS)))
    elapsed = time.perf_counter() - start
    conn = sqlite3.connect(SALE)
    orders = conn.execute("SELECT COUNT(*) FROM orders").fetchone()[0]
    stock_left = conn.execute("SELECT stock FROM items").fetchone()[0]
    conn.close()
    return {"orders": orders, "stock left": stock_left, "seconds": elapsed}


sales = {
    "naive": run_sale(buy_naive),
    "BEGIN IMMEDIATE": run_sale(buy_immediate),
    "conditional UPDATE": run_sale(buy_conditional),
}
for name, result in sales.items():
    print(
        f"{name:<20} orders={result['orders']:<4} stock left={result['stock left']:<4} "
        f"({result['seconds']:.2f} s)"
    )
assert sales["BEGIN IMMEDIATE"]["orders"] == STOCK
assert sales["conditional UPDATE"]["orders"] == STOCK

# %%
naive = sales["naive"]["orders"]
check_prediction(
    naive_orders_prediction,
    "more" if naive > STOCK else "exactly 20" if naive == STOCK else "fewer",
    explanation=(
        f"The naive sale recorded {naive} orders for {STOCK} items. Buyers who read the stock "
        "before anyone wrote it all saw items left, so each of them recorded an order, and "
        "their writes overwrote each other (lost updates). Check-then-act needs one lock or "
        "one statement around both steps."
    ),
)

# %% [markdown]
# **What to look at:** the naive bar towers over the dashed line of items that exist, and
# its "stock left" is not even zero: concurrent buyers overwrote each other's decrements
# (lost updates) *and* each recorded an order. The two transactional versions sell exactly
# the stock. How far the naive one oversells changes from run to run; that it can oversell
# at all is the bug.

# %%
fig, ax = plt.subplots(figsize=(6.5, 3.5))
names = list(sales)
orders = [sales[n]["orders"] for n in names]
bars = ax.bar(names, orders, color=["tab:red", "tab:green", "tab:green"])
ax.axhline(STOCK, color="black", linestyle="--", label=f"items in stock ({STOCK})")
for bar, value in zip(bars, orders, strict=True):
    ax.annotate(str(value), (bar.get_x() + bar.get_width() / 2, value), ha="center", va="bottom")
ax.set_ylabel("orders recorded")
ax.set_title(f"{BUYERS} buyers, {WORKERS} threads, {STOCK} items")
ax.legend()
plt.show()

# %% [markdown]
# **Your turn.** Write `my_buy(conn, buyer)` so that the sale can never oversell, using a
# *single* conditional `UPDATE` and its `rowcount` (no `SELECT`, no Python lock). Record an
# order only when this buyer got an item, and return `True` or `False`. The connection is in
# autocommit mode (`isolation_level=None`), so each statement commits on its own unless you
# wrap them in `BEGIN` ... `COMMIT`.


# %% tags=["exercise"] answer="ch30_my_buy"
def my_buy(conn, buyer):
    """Sell one item to `buyer` if any is left; True when this buyer got it."""
    raise NotImplementedError("your turn: one conditional UPDATE, then check rowcount")


# %%
def sale_problem(buy):
    result = run_sale(buy)
    if result["orders"] != STOCK or result["stock left"] != 0:
        return (
            f"{BUYERS} buyers got {result['orders']} orders and left {result['stock left']} "
            f"items; expected exactly {STOCK} orders and 0 left"
        )
    return None


check_value(my_buy, sale_problem, what="my_buy")

# %%
scratch.clean_up()

# %% [markdown]
# ## Try this
#
# - In section 1, switch the file back to the default journal (remove the `PRAGMA
#   journal_mode=WAL` line, delete the file, re-run). Which step now fails with
#   `database is locked`, and why does a rollback journal behave differently from WAL?
# - Remove `time.sleep(0.001)` from `buy_naive`. Does the naive sale still oversell? Try it
#   a few times: a race that only shows up sometimes is still a race.
# - Change `BEGIN IMMEDIATE` to a plain `BEGIN` (SQLite's deferred mode). What happens to the
#   sale, and what errors appear? Think about when the write lock is taken.
# - Write `move_task(conn, task_id, new_project_id)` for TaskForge so that updating the task
#   and writing an activity-log row happen in one transaction, and make the second statement
#   fail on purpose to watch both roll back.
