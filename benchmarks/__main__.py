"""`python -m benchmarks [NAME ...]`: run the benchmarks and print their figures."""

from __future__ import annotations

import argparse
import importlib
import json

SUITES = {
    "check": "benchmarks.check_overhead",
    "batch": "benchmarks.batch_grading",
    "cluster": "benchmarks.cluster_grading",
    "profile": "benchmarks.batch_profile",
    "taskforge": "benchmarks.taskforge_listing",
    "firehose": "benchmarks.firehose",
}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help=f"which benchmarks (default: all of {', '.join(SUITES)})",
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args()
    unknown = [name for name in args.names if name not in SUITES]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    figures = {}
    for name in args.names or list(SUITES):
        module = importlib.import_module(SUITES[name])
        figures[name] = module.run(runs=args.runs)
        print(module.report(figures[name]), flush=True)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(figures, handle, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
