#!/usr/bin/env python3
"""An independent implementation of the protocol's prompts (PROTOCOL.md),
written from the specification alone, used to check `instructeval prompts`
byte for byte. It keeps every shot (no model, no context fitting).

usage: protocol_prompts.py TASK DATA_DIR [LIMIT]  -> JSON lines on stdout
"""
import csv
import json
import os
import sys


def mmlu(data_dir, limit):
    test_dir = os.path.join(data_dir, "mmlu", "test")
    subjects = sorted(f[: -len("_test.csv")] for f in os.listdir(test_dir)
                      if f.endswith("_test.csv"))
    for subject in subjects:
        def rows(split):
            path = os.path.join(data_dir, "mmlu", split, f"{subject}_{split}.csv")
            with open(path, newline="", encoding="utf-8") as f:
                return [r for r in csv.reader(f) if r]

        def example(r, with_answer):
            s = r[0]
            for letter, choice in zip("ABCD", r[1:5]):
                s += f"\n{letter}. {choice}"
            s += "\nAnswer:"
            if with_answer:
                s += f" {r[5]}\n\n"
            return s

        words = "".join(" " + w for w in subject.split("_"))
        header = f"The following are multiple choice questions (with answers) about {words}.\n\n"
        shots = "".join(example(r, True) for r in rows("dev")[:5])
        test = rows("test")
        if limit:
            test = test[:limit]
        for i, r in enumerate(test):
            yield {"task": "mmlu", "subtask": subject, "id": f"{subject}/{i}",
                   "prompt": header + shots + example(r, False), "label": r[5], "shots": 5}


TASKS = {"mmlu": mmlu}


def main():
    task, data_dir = sys.argv[1], sys.argv[2]
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    out = sys.stdout
    for rec in TASKS[task](data_dir, limit):
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
