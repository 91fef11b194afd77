#!/usr/bin/env sh
# Exercism test-runner entry point: bin/run.sh SLUG INPUT_DIR OUTPUT_DIR
# Grades the solution in INPUT_DIR (module files, or any shape graders.batch.shapes reads) on
# the exercise named by SLUG (transfer-rollback, or ch30/transfer_rollback) and writes
# OUTPUT_DIR/results.json in the Exercism test-runner interface, version 3.
# Exits 0 whenever results.json was written, whatever the tests' verdicts.
set -u
if [ "$#" -ne 3 ]; then
    echo "usage: bin/run.sh SLUG INPUT_DIR OUTPUT_DIR" >&2
    exit 2
fi
slug="$1"
input="$(cd "$2" && pwd)"
mkdir -p "$3"
output="$(cd "$3" && pwd)"
root="$(cd "$(dirname "$0")/.." && pwd)"
python="${EXERCISM_PYTHON:-$root/.venv/bin/python}"
[ -x "$python" ] || python=python3
cd "$root" || exit 2
"$python" -m graders.batch.single "$input" --select "$slug" --format exercism \
    --out "$output/results.json" --isolation "${EXERCISM_ISOLATION:-full}" --hide "$output"
status=$?
if [ ! -s "$output/results.json" ]; then
    printf '{"version": 3, "status": "error", "message": "The test runner failed (exit status %s).", "tests": []}\n' \
        "$status" > "$output/results.json"
fi
exit 0
