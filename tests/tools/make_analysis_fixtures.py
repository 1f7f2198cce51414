#!/usr/bin/python3
"""Writes tests/fixtures/analysis/, the numpy/torch references tests/core/tst_analysis.cpp compares
core/AttentionRollout, core/QueryKeyProjection and core/WordAggregation against.

Run with Debian's python3 (torch + numpy):  /usr/bin/python3 tests/tools/make_analysis_fixtures.py
Deterministic (fixed seeds); the output is committed.

Written from the formulas, not from the C++ code:
  rollout     torch, float64: fuse heads (mean/min/max over dim 1), per row zero the
              floor(ratio * (N - 1)) smallest off-diagonal weights (stable order: lower key first on
              ties), A = 0.5 W + 0.5 I, rows / row sums, R = A_L @ ... @ A_1
  pca         numpy: keys translated to the queries' centroid (or not), centred, np.linalg.eigh of the
              covariance, the two largest components, sign so that the largest-|loading| entry is > 0
  words       numpy: W'[a, b] = mean over tokens i of word a of sum over tokens j of word b of W[i, j]

Files
  weights.npy            float32 [L=3, H=4, N=6, N] causal softmax maps of random logits
  rollout_<fusion>_<ratio>.npy   float32 [N, N]
  pca_queries.npy / pca_keys.npy   float32 [7, 5]
  pca_translated.npy / pca_plain.npy   float32 [14, 2] (x, y), plus pca.json with explained ratios
  words_map.npy          float32 [7, 7] a random row-stochastic map
  words.json             {"labels": GPT-2 style labels, "groups": [[token indices], ...]}
  words_expected.npy     float32 [W, W]
"""
import json
import math
import os

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "analysis")


def causal_softmax(logits):
    n = logits.shape[-1]
    mask = torch.triu(torch.ones(n, n, dtype=torch.bool), diagonal=1)
    return torch.softmax(logits.masked_fill(mask, float("-inf")), dim=-1)


def rollout(weights, fusion, ratio):
    w = torch.from_numpy(weights.astype(np.float64))
    layers, heads, n, _ = w.shape
    result = torch.eye(n, dtype=torch.float64)
    for layer in range(layers):
        if fusion == "mean":
            a = w[layer].mean(dim=0)
        elif fusion == "min":
            a = w[layer].min(dim=0).values
        else:
            a = w[layer].max(dim=0).values
        a = a.clone()
        count = int(math.floor(ratio * (n - 1)))
        for i in range(n):
            others = [j for j in range(n) if j != i]
            values = a[i, others].numpy()
            order = np.argsort(values, kind="stable")[:count]
            for t in order:
                a[i, others[t]] = 0.0
        a = 0.5 * a + 0.5 * torch.eye(n, dtype=torch.float64)
        a = a / a.sum(dim=-1, keepdim=True)
        result = a @ result
    return result.numpy()


def pca(q, k, translate):
    x = np.concatenate([q, k]).astype(np.float64)
    if translate:
        x[len(q):] += q.mean(axis=0) - k.mean(axis=0)
    x -= x.mean(axis=0)
    cov = x.T @ x / (len(x) - 1)
    values, vectors = np.linalg.eigh(cov)
    order = np.argsort(values)[::-1]
    points, ratios = [], []
    for c in order[:2]:
        v = vectors[:, c]
        if v[np.argmax(np.abs(v))] < 0:
            v = -v
        points.append(x @ v)
        ratios.append(float(values[c] / values.sum()))
    return np.stack(points, axis=1), ratios


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(6)
    weights = causal_softmax(torch.randn(3, 4, 6, 6, dtype=torch.float64) * 2.0).numpy().astype(np.float32)
    np.save(os.path.join(OUT, "weights.npy"), weights)
    for fusion in ("mean", "min", "max"):
        for ratio in (0.0, 0.5):
            name = "rollout_%s_%s.npy" % (fusion, str(ratio).replace(".", "p"))
            np.save(os.path.join(OUT, name), rollout(weights, fusion, ratio).astype(np.float32))

    rng = np.random.default_rng(7)
    q = rng.normal(size=(7, 5)).astype(np.float32) * np.array([3, 1, 0.5, 2, 0.2], dtype=np.float32)
    k = (rng.normal(size=(7, 5)) + 4.0).astype(np.float32)
    np.save(os.path.join(OUT, "pca_queries.npy"), q)
    np.save(os.path.join(OUT, "pca_keys.npy"), k)
    info = {}
    for translate, name in ((True, "translated"), (False, "plain")):
        points, ratios = pca(q, k, translate)
        np.save(os.path.join(OUT, "pca_%s.npy" % name), points.astype(np.float32))
        info[name] = ratios
    with open(os.path.join(OUT, "pca.json"), "w") as f:
        json.dump(info, f, indent=1)

    labels = ["<|endoftext|>", "The", "\u0120play", "ers", "\u0120won", ",", "\u0120yes"]
    groups = [[0], [1], [2, 3], [4], [5], [6]]
    m = rng.random(size=(7, 7))
    m = m / m.sum(axis=1, keepdims=True)
    expected = np.array([[m[np.ix_(a, b)].sum(axis=1).mean() for b in groups] for a in groups])
    np.save(os.path.join(OUT, "words_map.npy"), m.astype(np.float32))
    np.save(os.path.join(OUT, "words_expected.npy"), expected.astype(np.float32))
    with open(os.path.join(OUT, "words.json"), "w", encoding="utf-8") as f:
        json.dump({"labels": labels, "groups": groups}, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
