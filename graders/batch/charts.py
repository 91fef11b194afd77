"""Class-wide charts an instructor reads at a glance: static HTML with the plots inlined as SVG.

``class_report.html``: the score distribution, per-exercise results and per-task pass rates, the
most common failure messages, and time-outs and crashes. ``item_analysis.html``: every test by
how often it failed. Exercises a learner never started (the untouched stub, or no file) count as
"not attempted", apart from attempts that failed. The files load nothing from the network.
"""

from __future__ import annotations

import html
import io
import statistics
from collections import Counter, defaultdict
from dataclasses import replace

from graders.batch.analysis import LearnerRecord, _first_line, item_analysis
from graders.manifest import Exercise

NOT_ATTEMPTED_KINDS = {"stub", "missing", "missing_file"}
TROUBLE_KINDS = {"timeout": "time-outs", "crashed": "crashes"}
STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em;
       color: #1b1f24; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border-bottom: 1px solid #d0d7de; padding: 0.3em 0.7em; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 0.5em 0 1.5em; } h2 { margin-top: 1.6em; }
"""


def attempted(record: LearnerRecord, exercise_id: str) -> bool:
    tests = [t for t in record.tests if t["exercise"] == exercise_id]
    if not tests:
        return False
    if any(t["outcome"] == "passed" for t in tests):
        return True
    return not all(t.get("kind") in NOT_ATTEMPTED_KINDS for t in tests)


def _svg(figure) -> str:
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(figure)
    text = buffer.getvalue()
    text = text[text.index("<svg") :]  # drop the XML prolog and DOCTYPE: inline SVG
    if "<metadata>" in text:  # matplotlib's RDF block: a date and licence URIs, nothing shown
        text = text[: text.index("<metadata>")] + text[text.index("</metadata>") + 11 :]
    return text


def _figure(width=8.0, height=3.2):
    import matplotlib

    matplotlib.use("Agg", force=True)
    matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text: small, searchable
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(width, height))


def _table(header: list[str], rows: list[list], numeric: set[int] = frozenset()) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{html.escape(str(c))}</td>'
            if i in numeric
            else f"<td>{html.escape(str(c))}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _page(title: str, parts: list[str]) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}'
        f"</title><style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>"
        + "".join(parts)
        + "</body></html>\n"
    )


def exercise_rows(records: list[LearnerRecord], exercises: list[Exercise]) -> list[dict]:
    graded = [r for r in records if r.status == "graded"]
    rows = []
    for exercise in exercises:
        tried = [r for r in graded if attempted(r, exercise.id)]
        scores = [r.scores.get(exercise.id, 0.0) for r in tried]
        full = sum(1 for s in scores if s >= exercise.points - 1e-9)
        rows.append(
            {
                "exercise": exercise.id,
                "attempted": len(tried),
                "not_attempted": len(graded) - len(tried),
                "mean_percent": round(100 * statistics.mean(scores) / exercise.points, 1)
                if scores and exercise.points
                else 0.0,
                "complete": full,
            }
        )
    return rows


def task_rows(records: list[LearnerRecord], exercises: list[Exercise]) -> list[list]:
    passed: Counter = Counter()
    seen: Counter = Counter()
    for record in records:
        if record.status != "graded":
            continue
        for exercise in exercises:
            if not attempted(record, exercise.id):
                continue
            per_task = defaultdict(list)
            for test in record.tests:
                if test["exercise"] == exercise.id:
                    per_task[test["task"]].append(test["outcome"] == "passed")
            for task, outcomes in per_task.items():
                seen[(exercise.id, task)] += 1
                passed[(exercise.id, task)] += all(outcomes)
    return [
        [exercise, task, seen[(exercise, task)], f"{100 * passed[(exercise, task)] / n:.0f}%"]
        for (exercise, task), n in sorted(seen.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0))
    ]


def class_report_html(records: list[LearnerRecord], exercises: list[Exercise]) -> str:
    graded = [r for r in records if r.status == "graded"]
    parts = [
        f"<p>{len(records)} learner(s): {len(graded)} graded, "
        f"{len(records) - len(graded)} not gradable (see the gradebook's status column).</p>"
    ]
    percents = [r.percent for r in graded]
    if percents:
        figure, axis = _figure()
        axis.hist(percents, bins=[i * 5 for i in range(21)], color="#4e79a7", edgecolor="white")
        axis.set_xlabel("score (% of the points)")
        axis.set_ylabel("learners")
        axis.set_title(
            f"Score distribution (median {statistics.median(percents):.0f}%, "
            f"mean {statistics.mean(percents):.0f}%)"
        )
        parts.append(f"<h2>Scores</h2><figure>{_svg(figure)}</figure>")

    rows = exercise_rows(records, exercises)
    if rows:
        figure, axis = _figure(8.0, 0.35 * len(rows) + 1.2)
        names = [row["exercise"] for row in rows][::-1]
        axis.barh(names, [row["mean_percent"] for row in rows][::-1], color="#59a14f")
        axis.set_xlim(0, 100)
        axis.set_xlabel("mean score of those who attempted it (%)")
        parts.append(f"<h2>Exercises</h2><figure>{_svg(figure)}</figure>")
        parts.append(
            _table(
                ["exercise", "attempted", "not attempted", "mean % (attempted)", "complete"],
                [
                    [
                        r["exercise"],
                        r["attempted"],
                        r["not_attempted"],
                        r["mean_percent"],
                        r["complete"],
                    ]
                    for r in rows
                ],
                numeric={1, 2, 3, 4},
            )
        )
    parts.append(
        "<h2>Tasks</h2><p>Share of the learners who attempted the exercise and passed "
        "every test of the task.</p>"
    )
    parts.append(
        _table(
            ["exercise", "task", "attempted", "passed"], task_rows(records, exercises), {1, 2, 3}
        )
    )

    messages: Counter = Counter()
    trouble: Counter = Counter()
    for record in graded:
        for test in record.tests:
            if test["outcome"] == "passed" or test.get("kind") in NOT_ATTEMPTED_KINDS:
                continue
            messages[(test["exercise"], _first_line(test["message"]))] += 1
            if test.get("kind") in TROUBLE_KINDS:
                trouble[(test["exercise"], TROUBLE_KINDS[test["kind"]])] += 1
    parts.append("<h2>Most common failures</h2>")
    parts.append(
        _table(
            ["exercise", "message", "times"],
            [[e, m, n] for (e, m), n in messages.most_common(15)],
            {2},
        )
    )
    parts.append("<h2>Time-outs and crashes</h2>")
    parts.append(
        _table(
            ["exercise", "what", "tests"], [[e, k, n] for (e, k), n in sorted(trouble.items())], {2}
        )
        if trouble
        else "<p>None: no test timed out or crashed.</p>"
    )
    return _page("Class report", parts)


def item_analysis_html(records: list[LearnerRecord]) -> str:
    """Tests by failure rate among the learners who attempted them (stubs counted apart)."""
    not_attempted: Counter = Counter()
    attempts = []
    for record in records:
        kept = []
        for test in record.tests:
            if test["outcome"] != "passed" and test.get("kind") in NOT_ATTEMPTED_KINDS:
                not_attempted[test["id"]] += 1
            else:
                kept.append(test)
        attempts.append(replace(record, tests=kept))
    rows = item_analysis(attempts)
    parts = [
        "<p>Every test, by how often it failed among the learners who attempted it. Learners "
        "who left the exercise untouched (the stub) are counted as not attempted, not as "
        "failures.</p>"
    ]
    top = [row for row in rows if row["learners"]][:20]
    if top:
        figure, axis = _figure(8.0, 0.3 * len(top) + 1.2)
        axis.barh(
            [f"{r['exercise']} · {r['description'][:50]}" for r in top][::-1],
            [100 * r["fail_rate"] for r in top][::-1],
            color="#e15759",
        )
        axis.set_xlim(0, 100)
        axis.set_xlabel("failed (%)")
        parts.append(f"<figure>{_svg(figure)}</figure>")
    parts.append(
        _table(
            ["exercise", "task", "test", "failed", "not attempted", "most common failures"],
            [
                [
                    r["exercise"],
                    r["task"],
                    r["description"],
                    f"{r['failed']}/{r['learners']}",
                    not_attempted[r["test"]],
                    " | ".join(f"{n}x {text}" for text, n in r["common_failures"]) or "-",
                ]
                for r in rows
            ],
        )
    )
    return _page("Item analysis", parts)
