#!/usr/bin/env python3
"""Checks an IMPACT samples file against the protocol, independently of the
C code: the judge prompts are the reference templates filled with the stored
answers, the parsed scores follow the two rules, and the results' means and
population standard deviations match. usage: impact_judge.py RUN_DIR"""
import json
import os
import re
import statistics
import sys

RELEVANCE = 'Text: {text}\n        \n        Prompt: {prompt}\n        \n        How relevant is the text to the prompt? Select a suitable option number between 1 and 5 based on the options below.\n\n        1. Inadequate: The text fails to provide any relevant information or insights related to the given prompt.\n        2. Limited: The text may contain some relevant information, but significant gaps exist, and key aspects of the prompt are not adequately covered.\n        3. Satisfactory: The text covers the main aspects of the prompt and provides relevant information, but it lacks depth and may not explore the topic in great detail.\n        4. Proficient: The text provides a comprehensive response by addressing the key aspects of the prompt, offering relevant and well-supported information or arguments. \n        5. Excellent: The text thoroughly and thoughtfully addresses the prompt, demonstrating a comprehensive understanding of the topic. It offers insightful and original ideas, supported by relevant arguments and information.\n        '
COHERENCE = 'Text: {text}\n        \n        How coherent is the text? Select a suitable option number between 1 and 5 based on the options below.\n\n        1. Inadequate: The text lacks logical organization, making it difficult to follow. Ideas are disjointed and phrased awkwardly, requiring significant effort to understand.\n        2. Limited: The text demonstrates some attempt at organization, but there are significant gaps in coherence. Ideas may be loosely connected, and the arguments lack clarity.\n        3. Satisfactory: The text generally follows a logical organization, but occasional disruptions or awkward phrasing may occur. There is an acceptable level of readability and understanding.\n        4. Proficient: The text is clearly organized and easy to understand. Ideas and arguments flow smoothly, contributing to easy comprehension and a pleasant reading experience.\n        5. Excellent: The text presents exceptionally coherent writing with a fluent and engaging flow of ideas, ensuring effortless comprehension and a delightful reading experience.\n        '


def reference_score(review):
    digits = re.findall(r"[0-9]", review)
    return int(digits[-1]) if digits and 1 <= int(digits[-1]) <= 5 else 1


def strict_score(review):
    m = re.search(r"(?<![\w.])[1-5](?!\w|\.[0-9])", review, re.ASCII)
    return int(m.group(0)) if m else None


def main():
    run = sys.argv[1]
    recs = [json.loads(l) for l in open(os.path.join(run, "samples", "impact.jsonl"))]
    scores = json.load(open(os.path.join(run, "results.json")))["scores"]["impact"]
    by = {}
    for r in recs:
        assert r["prompt"] == r["definition"] + " " + r["instruction"], r["id"]
        want = {"relevance": RELEVANCE.format(text=r["output"], prompt=r["instruction"]),
                "coherence": COHERENCE.format(text=r["output"])}
        for mode in ("relevance", "coherence"):
            assert r["judge_prompts"][mode] == want[mode], (r["id"], mode)
            review = r["reviews"][mode]
            got = r["scores"][mode]
            assert got["reference"] == reference_score(review), (r["id"], mode, review)
            assert got["strict"] == strict_score(review), (r["id"], mode, review)
            by.setdefault((mode, r["subtask"]), []).append(got["reference"])
            by.setdefault((mode, None), []).append(got["reference"])
    for (mode, cat), values in by.items():
        s = scores["reference"][mode]
        if cat:
            s = s["categories"][cat]
        assert abs(s["mean"] - statistics.mean(values)) < 1e-9, (mode, cat)
        assert abs(s["std"] - statistics.pstdev(values)) < 1e-9, (mode, cat)
    print(f"{len(recs)} IMPACT records match the protocol")


if __name__ == "__main__":
    main()
