# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Chapter 37 · A golden master you can break
#
# Before you refactor code nobody fully understands, you pin down what it does *today*,
# right or wrong. This notebook does that to the `process_task_data` function of the
# chapter's exercise:
#
# 1. **Generate** 1,500 inputs, ordinary and nasty (empty titles, titles of exactly
#    100 and 101 characters, padding, wrong types), run the legacy function on each and
#    **record** every output, exceptions included, as a golden master file.
# 2. **Plot** the legacy behaviour: the scoring rules hidden in the code become visible
#    as steps, odd ones included.
# 3. **Compare** a refactored version against the golden master, case by case.
# 4. **Break it on purpose**: a refactor with a small "harmless" cleanup, and the diff that
#    catches it.
#
# When your `exercises/ch37/characterization.py` has a finished `process_task_refactored`,
# the notebook uses the exercise's legacy function and your refactor. Until then it uses a
# demo pair that behaves like the exercise's legacy code, so the numbers look the same.

# %%
import difflib
import inspect
import json
import random
import tempfile
from collections import Counter
from pathlib import Path

import matplotlib.pyplot as plt
from course_helpers import check_prediction, check_value, load_exercise

# %% [markdown]
# ## The demo pair
#
# First the legacy function, one blob that validates, cleans, scores and formats, following
# the rules of the exercise's `process_task_data`. Read it once, but do not try to memorise
# it: the point of a golden master is that you do not need to understand every branch
# before you can change the code safely.


# %%
def legacy_process_task_data(title, assignee, urgent, days_until_due):
    # An exact type check, as in the exercise's legacy code: a str subclass is "not a title".
    if type(title) is not str or title.strip() == "":
        return {"error": "title is required"}
    if len(title) > 100:  # measured before stripping: padding counts
        return {"error": "title is too long"}
    if type(assignee) is not str or assignee == "":
        return {"error": "assignee is required"}
    t = title.strip().upper()
    p = 50 if urgent else 0
    if days_until_due < 0:
        p += 54
    elif days_until_due <= 1:
        p += 35
    elif days_until_due <= 3:
        p += 29
    elif days_until_due <= 7:
        p += 10
    if len(t) > 50:
        p -= 5
    p = min(100, max(0, p))
    lab = "CRITICAL" if p >= 80 else "HIGH" if p >= 50 else "MEDIUM" if p >= 30 else "LOW"
    return {
        "title": t,
        "assignee": assignee,
        "priority": p,
        "label": lab,
        "summary": f"[{lab}] {t} ({assignee}, {p})",
    }


# %% [markdown]
# Then the same behaviour split into the four functions the exercise asks for, each small
# enough to read and test on its own.


# %%
def validate_task(title, assignee):
    if type(title) is not str or not title.strip():  # exact, like the legacy code
        return {"error": "title is required"}
    if len(title) > 100:
        return {"error": "title is too long"}
    if type(assignee) is not str or assignee == "":
        return {"error": "assignee is required"}
    return None


DUE_BONUS = [(-1, 54), (1, 35), (3, 29), (7, 10)]  # (due in at most N days, points)


def calculate_priority(urgent, days_until_due, title_length):
    score = 50 if urgent else 0
    score += next((points for limit, points in DUE_BONUS if days_until_due <= limit), 0)
    if title_length > 50:
        score -= 5
    return max(0, min(100, score))


def format_task_summary(title, assignee, priority):
    floors = [(80, "CRITICAL"), (50, "HIGH"), (30, "MEDIUM")]
    label = next((name for floor, name in floors if priority >= floor), "LOW")
    return {
        "title": title,
        "assignee": assignee,
        "priority": priority,
        "label": label,
        "summary": f"[{label}] {title} ({assignee}, {priority})",
    }


def demo_process_task_refactored(title, assignee, urgent, days_until_due):
    problem = validate_task(title, assignee)
    if problem is not None:
        return problem
    clean = title.strip().upper()
    return format_task_summary(
        clean, assignee, calculate_priority(urgent, days_until_due, len(clean))
    )


# %% [markdown]
# ## Yours, or the demo?
#
# The notebook describes each task by four values: `title`, `assignee`, `urgent` and
# `days_until_due`. It matches your functions' parameters to those by name (a parameter
# whose name contains "title", "assign", "urgent", or "day"/"due"). If that is not possible,
# or your refactor is still a stub, it says why and uses the demo pair.

# %%
FIELDS = {
    "title": "title",
    "assign": "assignee",
    "urgent": "urgent",
    "day": "days_until_due",
    "due": "days_until_due",
}


def adapt(function):
    """Wrap function so that it can be called with the notebook's four fields, or explain."""
    if not callable(function):
        return None, "it is missing"
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return None, "its signature cannot be read"
    mapping = {}
    for name, parameter in parameters.items():
        field = next((f for key, f in FIELDS.items() if key in name.lower()), None)
        if field is None:
            if parameter.default is inspect.Parameter.empty:
                return None, f"it takes {list(parameters)} and '{name}' matches no field"
            continue
        mapping[name] = field
    if sorted(set(mapping.values())) != sorted(set(FIELDS.values())):
        return None, f"it takes {list(parameters)}, which does not cover all four fields"

    def call(**task):
        return function(**{name: task[field] for name, field in mapping.items()})

    return call, None


def choose_pair(module):
    if module is None:
        return None
    legacy, why = adapt(getattr(module, "process_task_data", None))
    if legacy is None:
        print(f"Cannot call the exercise's process_task_data: {why}; using the demo pair.")
        return None
    refactored, why = adapt(getattr(module, "process_task_refactored", None))
    if refactored is None:
        print(f"Cannot call your process_task_refactored: {why}; using the demo pair.")
        return None
    sample = {"title": "Probe", "assignee": "ada", "urgent": True, "days_until_due": 2}
    try:
        refactored(**sample)
    except NotImplementedError:
        print(
            "Your process_task_refactored is still a stub (NotImplementedError); using the "
            "demo pair until it is written."
        )
        return None
    except Exception as exc:
        print(
            f"Your process_task_refactored raised {type(exc).__name__}: {exc}; using the demo pair."
        )
        return None
    return legacy, refactored


learner = load_exercise("ch37/characterization.py")
pair = choose_pair(learner)
if pair is not None:
    legacy, refactored = pair
    print("Using the exercise's process_task_data (legacy) and YOUR process_task_refactored.")
else:

    def legacy(**task):
        return legacy_process_task_data(**task)

    def refactored(**task):
        return demo_process_task_refactored(**task)

    print("Using the notebook's demo legacy function and demo refactor.")

# %% [markdown]
# **Predict first.** What label does the legacy code give an *urgent* task titled
# `"Fix login"`, due in 2 days? (`"LOW"`, `"MEDIUM"`, `"HIGH"` or `"CRITICAL"`)

# %% tags=["predict"] answer="ch37_label"
label_predicted = ...

# %%
check_prediction(
    label_predicted,
    legacy_process_task_data("Fix login", "ada", True, 2)["label"],
    explanation=(
        "HIGH: urgent adds 50 and 'due within 3 days' adds 29, so the priority is 79, one short "
        "of CRITICAL (80). Boundaries like 79/80 are exactly where characterisation tests must "
        "look, because a refactor that writes > instead of >= changes only those cases."
    ),
)

# %% [markdown]
# ## 1. Generate inputs and record the golden master
#
# Hand-picked edge cases first (boundaries are where behaviour changes), then random
# combinations from a seeded generator. Every output is recorded, and so is every exception,
# by its type: "raises TypeError for a missing date" is behaviour too.

# %%
EDGE_TITLES = [
    "",
    "   ",
    "Fix login",
    "  Fix login  ",
    "x" * 50,
    "x" * 51,
    "x" * 100,
    "x" * 101,
    " " + "y" * 99 + " ",
    " " + "z" * 50,
    None,
    42,
]
EDGE_ASSIGNEES = ["ada", "", "   ", None, 7]
WORDS = "fix login export csv add index on user_id refactor the billing module typo README"

rng = random.Random(37)
cases = [
    {"title": t, "assignee": a, "urgent": u, "days_until_due": d}
    for t in EDGE_TITLES
    for a in EDGE_ASSIGNEES
    for u in (True, False)
    for d in (-1, 0, 1, 2, 3, 7, 8, 20)
]
while len(cases) < 1500:
    words = rng.choices(WORDS.split(), k=rng.randint(1, 14))
    title = " " * rng.choice([0, 0, 0, 1, 3]) + " ".join(words) + " " * rng.choice([0, 0, 2])
    case = {
        "title": title,
        "assignee": rng.choice(["ada", "grace", "linus", ""]),
        "urgent": rng.random() < 0.3,
        "days_until_due": rng.randint(-5, 30),
    }
    cases.append(case)


def run_case(function, case):
    try:
        return function(**case)
    except Exception as exc:
        return {"raised": type(exc).__name__}


golden = [{"input": case, "output": run_case(legacy, case)} for case in cases]
golden_dir = Path(tempfile.mkdtemp(prefix="ch37_"))
golden_file = golden_dir / "golden_master.json"
golden_file.write_text(json.dumps(golden, indent=1))
print(f"recorded {len(golden)} cases in {golden_file} ({golden_file.stat().st_size:,} bytes)")
print("first recorded case:", json.dumps(golden[0]))

outcomes = Counter(
    o["output"].get("label") or o["output"].get("error") or "raised " + o["output"]["raised"]
    for o in golden
)
for outcome, count in outcomes.most_common():
    print(f"   {count:>4}  {outcome}")

# %% [markdown]
# Some recorded behaviour is surprising, and the golden master keeps it anyway: an assignee
# of only spaces is accepted, and a title padded to 101 characters is refused even though
# it would be 99 once cleaned. These may be bugs, but callers may depend on them; the
# refactor must not change them silently. Fixing one is a separate, deliberate change with
# its own test.


# %%
def recorded(title, assignee):
    for entry in golden:
        case = entry["input"]
        if case["title"] == title and case["assignee"] == assignee and case["urgent"]:
            return entry


def short(case):
    """The case as JSON, with a long title shortened for display."""
    title = case["title"]
    if isinstance(title, str) and len(title) > 16:
        case = {**case, "title": f"{title[:12]}...({len(title)} chars)"}
    return json.dumps(case)


for title, assignee in (("Fix login", "   "), (" " + "y" * 99 + " ", "ada")):
    entry = recorded(title, assignee)
    print(f"{short(entry['input'])}\n    -> {json.dumps(entry['output'])}")

# %% [markdown]
# ## 2. What the legacy behaviour looks like
#
# Characterising is also *learning* what the code does. Running the legacy function over a
# grid of inputs (days until due from -3 to 20; urgent or not; a short or a 60-character
# title) and plotting the priority turns its branches into visible steps.
#
# **What to look at:** the steps are the due-date thresholds; the gap between the solid and
# dashed lines is the urgency bonus; the small gap between the thick and thin lines is the
# long-title penalty. Then the odd parts: the jump at the red line (overdue on its left) is
# far bigger than the others, because an overdue task gets +54 where a task due today gets
# +35, and the urgent short-title line is cut off at the ceiling of 100 (so for overdue
# urgent tasks the long-title penalty almost disappears: 99 against 100). A plot like this is
# how you find the rules nobody remembers writing. The dotted lines are the label boundaries
# (30, 50, 80).

# %%
days = list(range(-3, 21))
fig, ax = plt.subplots(figsize=(9, 4))
for urgent, style in ((True, "-"), (False, "--")):
    for title, width in (("Short title", 2.5), ("L" * 60, 1)):
        scores = [
            run_case(
                legacy, {"title": title, "assignee": "ada", "urgent": urgent, "days_until_due": d}
            ).get("priority")
            for d in days
        ]
        kind = "short" if width > 2 else "60-char"
        ax.step(
            days,
            scores,
            where="mid",
            linestyle=style,
            linewidth=width,
            label=f"{'urgent' if urgent else 'not urgent'}, {kind} title",
        )
for floor in (30, 50, 80):
    ax.axhline(floor, color="grey", linestyle=":", linewidth=1)
ax.axvline(-0.5, color="tab:red", linewidth=1, label="overdue on the left")
ax.set_xlabel("days until due (negative: overdue)")
ax.set_ylabel("priority")
ax.set_title("The legacy scoring rules, made visible")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# ## 3. Compare the refactor with the golden master


# %%
def compare(function, master):
    """Cases where function's output differs from the recorded one."""
    return [
        (entry["input"], entry["output"], actual)
        for entry in master
        if (actual := run_case(function, entry["input"])) != entry["output"]
    ]


master = json.loads(golden_file.read_text())  # read back from the file, as a test would
mismatches = compare(refactored, master)
print(f"{len(master) - len(mismatches)} of {len(master)} cases match the golden master")
for case, expected, actual in mismatches[:5]:
    print(f"  {short(case)}\n    expected {expected}\n    got      {actual}")
if pair is None:
    assert not mismatches, "the demo refactor must match the demo legacy code"

# %% [markdown]
# **Your turn.** Hand-pick characterisation cases. Fill `MY_CASES` with tuples
# `(title, assignee, urgent, days_until_due)` that, run through the legacy code, together
# produce every label (`LOW`, `MEDIUM`, `HIGH`, `CRITICAL`) and every error it can return
# (`title is required`, `title is too long`, `assignee is required`). Seven cases can do it.

# %% tags=["exercise"] answer="ch37_my_cases"
MY_CASES = ...


# %%
def coverage_problem(my_cases):
    seen = set()
    for title, assignee, urgent, days in my_cases:
        result = legacy_process_task_data(title, assignee, urgent, days)
        seen.add(result.get("label") or result.get("error"))
    wanted = {"LOW", "MEDIUM", "HIGH", "CRITICAL"} | {
        "title is required",
        "title is too long",
        "assignee is required",
    }
    missing = sorted(wanted - seen)
    return f"no case produces {missing}" if missing else None


check_value(MY_CASES, coverage_problem, what="case list")

# %% [markdown]
# **Predict first.** The next section strips each title *before* calling the refactored
# code. For a title of 99 letters with one space of padding on each side (101 characters),
# what does the legacy code return: a label, or an error? Write the label or the error text.

# %% tags=["predict"] answer="ch37_padded_title"
padded_title_predicted = ...

# %%
padded = legacy_process_task_data(" " + "y" * 99 + " ", "ada", False, 20)
check_prediction(
    padded_title_predicted,
    padded.get("label") or padded.get("error"),
    explanation=(
        "'title is too long': the legacy code measures the length before stripping, so the two "
        "spaces count. Stripped first, the same title is 99 characters and gets a label. That "
        "is the behaviour change the next cell catches."
    ),
)

# %% [markdown]
# ## 4. A "harmless" cleanup, caught
#
# A well-meaning change strips the title *before* handing it to the refactored function:
# tidier input, and arguably a fix for padded titles. It also changes behaviour, and the
# golden master from section 1 is all it takes to notice.
#
# **What to look at:** how many cases changed, which inputs they have in common, and the
# diff of one case: lines starting with `-` are what the legacy code returned, `+` what the
# new code returns.


# %%
def tidier_refactor(**task):
    if isinstance(task["title"], str):
        task = {**task, "title": task["title"].strip()}  # the "harmless" cleanup
    return refactored(**task)


changed = compare(tidier_refactor, master)
print(f"{len(changed)} of {len(master)} cases changed behaviour")
for title in sorted({case["title"] for case, _, _ in changed}):
    shown = repr(title) if len(title) <= 16 else repr(title[:6]) + " ... " + repr(title[-3:])
    print(f"   title {shown}  (length {len(title)}, {len(title.strip())} once stripped)")
assert changed, "the cleanup changes behaviour, and the golden master must notice"

case, expected, actual = changed[0]
print("\ninput:", short(case))
diff = difflib.unified_diff(
    json.dumps(expected, indent=2, sort_keys=True).splitlines(),
    json.dumps(actual, indent=2, sort_keys=True).splitlines(),
    fromfile="golden master (legacy)",
    tofile="tidier_refactor",
    lineterm="",
)
print("\n".join(diff))

# %% [markdown]
# ## Try this
#
# - Change `(3, 29)` to `(2, 29)` in the demo's `DUE_BONUS` table (a classic off-by-one),
#   re-run section 3 and read which cases fail. Did the edge cases or the random ones catch
#   it?
# - Remove all the hand-picked edge cases and keep only random ones. Does section 4 still
#   catch the cleanup? What does that say about random inputs alone?
# - Decide that padded titles *should* be measured after stripping. Make that change on
#   purpose: update the golden master in a separate step, and write a named test for the new
#   rule.
# - Add `"urgent": 1` and `"urgent": "no"` cases (callers send odd values). What does the
#   legacy code do with them, and does your refactor agree?
# - Once your `process_task_refactored` is written, re-run the notebook and check that the
#   cell which loads it reports that it uses your function.
