#!/usr/bin/env python3
"""Compares two JSON-lines files record by record on the given fields and
reports the first difference. usage: compare_jsonl.py A B FIELD..."""
import json
import sys


def main():
    a_path, b_path, fields = sys.argv[1], sys.argv[2], sys.argv[3:]
    with open(a_path, encoding="utf-8") as fa, open(b_path, encoding="utf-8") as fb:
        a = [json.loads(line) for line in fa]
        b = [json.loads(line) for line in fb]
    if len(a) != len(b):
        sys.exit(f"{len(a)} records in {a_path}, {len(b)} in {b_path}")
    for i, (x, y) in enumerate(zip(a, b)):
        for f in fields:
            if x.get(f) != y.get(f):
                sys.exit(f"record {i + 1} differs in '{f}':\n{x.get(f)!r}\n{y.get(f)!r}")
    print(f"{len(a)} records identical in {', '.join(fields)}")


if __name__ == "__main__":
    main()
