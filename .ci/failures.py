#!/usr/bin/env python3
"""Print why tests failed, grouped by the first line of their error message, from .trx files.

CI prints the failed tests' names; when many fail for one cause (a storage emulator that did not start, say), the
names alone do not tell it. This prints each distinct cause once, with how many tests it failed and the first lines
of its message and stack, so the tail of a CI log says why.
"""
import sys
import xml.etree.ElementTree as ET
from collections import OrderedDict

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
MAX_CAUSES = 3
MAX_LINES = 12


def failures(paths):
    for path in paths:
        try:
            root = ET.parse(path).getroot()
        except (ET.ParseError, OSError) as error:
            print(f"(could not read {path}: {error})")
            continue
        for result in root.iterfind(".//t:UnitTestResult[@outcome='Failed']", NS):
            message = result.findtext("t:Output/t:ErrorInfo/t:Message", default="", namespaces=NS).strip()
            stack = result.findtext("t:Output/t:ErrorInfo/t:StackTrace", default="", namespaces=NS).strip()
            yield result.get("testName", "?"), message, stack


def main(paths):
    causes = OrderedDict()
    for name, message, stack in failures(paths):
        first = message.splitlines()[0] if message else "(no message)"
        cause = causes.setdefault(first, {"count": 0, "example": name, "text": message + "\n" + stack})
        cause["count"] += 1
    if not causes:
        return
    print(f"why: {len(causes)} distinct first line(s) of error message; the {min(len(causes), MAX_CAUSES)} commonest:")
    ranked = sorted(causes.items(), key=lambda item: -item[1]["count"])[:MAX_CAUSES]
    for first, cause in ranked:
        print(f"--- {cause['count']} test(s), e.g. {cause['example']}:")
        lines = [line.rstrip() for line in cause["text"].splitlines() if line.strip()]
        for line in lines[:MAX_LINES]:
            print(f"    {line[:300]}")
        if len(lines) > MAX_LINES:
            print(f"    ... ({len(lines) - MAX_LINES} more lines)")


if __name__ == "__main__":
    main(sys.argv[1:])
