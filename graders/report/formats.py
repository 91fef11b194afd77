"""Machine-readable views of a GradingResult (JSON and JUnit XML)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from xml.etree import ElementTree as ET

from graders.results import GradingResult


def write_atomic(path: Path, text: str) -> None:
    """Write a file so readers never see half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def to_json(result: GradingResult) -> str:
    return json.dumps(result.to_dict(), indent=2)


def to_junit(result: GradingResult) -> str:
    """JUnit XML: one testsuite per exercise, one testcase per grader test."""
    suites = ET.Element(
        "testsuites",
        name="graders",
        tests=str(len(result.tests())),
        failures=str(sum(t.outcome == "failed" for t in result.tests())),
        errors=str(sum(t.outcome == "error" for t in result.tests())),
    )
    for entry in result.exercises:
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=entry.id,
            tests=str(len(entry.tests)),
            failures=str(sum(t.outcome == "failed" for t in entry.tests)),
            errors=str(sum(t.outcome == "error" for t in entry.tests)),
            time=f"{sum(t.duration for t in entry.tests):.3f}",
        )
        for test in entry.tests:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=entry.id.replace("/", "."),
                name=test.name,
                time=f"{test.duration:.3f}",
            )
            if test.outcome != "passed":
                tag = "error" if test.outcome == "error" else "failure"
                node = ET.SubElement(
                    case,
                    tag,
                    message=test.message.splitlines()[0] if test.message else "",
                    type=test.kind or tag,
                )
                node.text = test.message
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
