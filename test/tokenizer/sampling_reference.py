"""The sampler's numpy reference: transformers' logits processors written out in float64 numpy,
and the sampler's RNG (xoshiro256** seeded by splitmix64) and inverse-CDF draw replayed in
Python, so seeded draws are checked id for id. scripts/make-tokenizer-goldens.py calls
write_goldens(); the unit test (SamplerTest.cpp) reads the JSON it writes.

The processors, as transformers' generation applies them (in this order):
  repetition penalty  RepetitionPenaltyLogitsProcessor: for each id in the history once,
                      score < 0 ? score * penalty : score / penalty
  temperature         TemperatureLogitsWarper: scores / temperature
  top-k               TopKLogitsWarper: scores below the k-th largest become -inf
  top-p               TopPLogitsWarper: sort ascending, softmax, cumsum; remove where the
                      cumulative probability <= 1 - top_p, keeping the most likely token
"""
import json
import os

import numpy as np

MASK = (1 << 64) - 1


def repetition_penalty(scores, history, penalty):
    scores = scores.copy()
    for i in sorted(set(history)):
        scores[i] = scores[i] * penalty if scores[i] < 0 else scores[i] / penalty
    return scores


def top_k(scores, k):
    if k <= 0 or k >= len(scores):
        return scores
    threshold = np.sort(scores)[::-1][k - 1]
    return np.where(scores < threshold, -np.inf, scores)


def top_p(scores, p):
    if p >= 1.0:
        return scores
    order = np.argsort(scores, kind="stable")
    sorted_scores = scores[order]
    probs = softmax(sorted_scores)
    cumulative = np.cumsum(probs)
    remove = cumulative <= 1.0 - p
    remove[-1] = False
    out = scores.copy()
    out[order[remove]] = -np.inf
    return out


def softmax(scores):
    finite = scores[np.isfinite(scores)]
    e = np.where(np.isfinite(scores), np.exp(scores - finite.max()), 0.0)
    return e / e.sum()


def processed(logits, config, history):
    scores = repetition_penalty(np.asarray(logits, dtype=np.float64), history, config["repetition_penalty"])
    if config["temperature"] <= 0:
        return scores
    scores = scores / config["temperature"]
    return top_p(top_k(scores, config["top_k"]), config["top_p"])


def distribution(logits, config, history):
    scores = processed(logits, config, history)
    if config["temperature"] <= 0:
        out = np.zeros_like(scores)
        out[int(np.argmax(scores))] = 1.0
        return out
    return softmax(scores)


class Rng:
    def __init__(self, seed):
        self.s = []
        for _ in range(4):
            seed = (seed + 0x9E3779B97F4A7C15) & MASK
            z = seed
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
            self.s.append(z ^ (z >> 31))

    def next(self):
        s = self.s
        rotl = lambda x, k: ((x << k) | (x >> (64 - k))) & MASK
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def uniform(self):
        return (self.next() >> 11) * 2.0 ** -53


def draws(logits, config, history, count):
    scores = processed(logits, config, history)
    rng = Rng(config["seed"])
    if config["temperature"] <= 0:
        return [int(np.argmax(scores))] * count
    weights = np.where(np.isfinite(scores), np.exp(scores - scores[np.isfinite(scores)].max()), 0.0)
    cumulative = np.cumsum(weights)  # sequential, as the sampler sums
    return [int(np.argmax(cumulative > rng.uniform() * cumulative[-1])) for _ in range(count)]


def cases():
    r = np.random.default_rng(1234)
    logits_sets = {
        "small": [2.0, 1.0, 0.5, -1.0, 3.0, 0.0, -2.5, 1.5],
        "ties": [1.0, 3.0, 3.0, 2.0, 3.0, -1.0],
        "peaked": [10.0, 0.0, -5.0, 0.1, 9.5, -0.3],
        "random64": [float(x) for x in r.normal(0, 3, 64).astype(np.float32)],
        "random1000": [float(x) for x in r.normal(0, 2, 1000).astype(np.float32)],
    }
    configs = [
        dict(temperature=0.0, top_k=0, top_p=1.0, repetition_penalty=1.0),
        dict(temperature=0.0, top_k=0, top_p=1.0, repetition_penalty=1.3),
        dict(temperature=1.0, top_k=0, top_p=1.0, repetition_penalty=1.0),
        dict(temperature=0.7, top_k=0, top_p=1.0, repetition_penalty=1.0),
        dict(temperature=1.5, top_k=3, top_p=1.0, repetition_penalty=1.0),
        dict(temperature=1.0, top_k=0, top_p=0.9, repetition_penalty=1.0),
        dict(temperature=0.6, top_k=0, top_p=0.95, repetition_penalty=1.0),
        dict(temperature=0.8, top_k=5, top_p=0.8, repetition_penalty=1.2),
        dict(temperature=1.0, top_k=1, top_p=1.0, repetition_penalty=1.0),
        dict(temperature=1.0, top_k=0, top_p=0.3, repetition_penalty=2.0),
    ]
    out = []
    for name, logits in logits_sets.items():
        n = len(logits)
        history = [0, 3, 3, n - 1, 4 % n]
        for i, config in enumerate(configs):
            config = dict(config, seed=1000 + i)
            out.append({
                "name": f"{name}/{i}", "logits": logits, "history": history, "config": config,
                "distribution": [float(x) for x in distribution(logits, config, history)],
                "draws": draws(logits, config, history, 200),
            })
    return out


def write_goldens(path):
    rows = cases()
    with open(path, "w") as f:
        json.dump({"cases": rows}, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote test/tokenizer/golden/{os.path.basename(path)} ({len(rows)} cases)")
