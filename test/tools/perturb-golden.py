#!/usr/bin/env python3
"""Writes a copy of a golden.json whose argmax at one position is moved to the runner-up token
(raised 1 % of max|logit| above the top), so a comparison must report that position as divergent.

    perturb-golden.py IN.json OUT.json --position P
"""
import argparse
import json

ap = argparse.ArgumentParser()
ap.add_argument("src")
ap.add_argument("dst")
ap.add_argument("--position", type=int, required=True)
a = ap.parse_args()
doc = json.load(open(a.src))
vocab = doc["shape"][1]
row = doc["logits"][a.position * vocab:(a.position + 1) * vocab]
top, runner_up = sorted(range(vocab), key=lambda i: -row[i])[:2]
bump = 0.01 * max(abs(v) for v in doc["logits"])
doc["logits"][a.position * vocab + runner_up] = row[top] + bump
json.dump(doc, open(a.dst, "w"))
