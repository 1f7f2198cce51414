#!/usr/bin/python3
"""Writes resources/samples/*.json, the bundled samples. Run once; the output is committed.

Numeric samples whose data is generated (seed004-mlp, seq-seasonal, seq-clusters) use a fixed
seed so the files are reproducible; the values are written inline so every sample is one
self-contained JSON file.
"""
import json
import math
import os
import random

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "resources", "samples")


def fmt(x):
    return ("%.4f" % x).rstrip("0").rstrip(".") if abs(x) > 1e-12 else "0"


def vectors(rows):
    return ";".join(",".join(fmt(v) for v in row) for row in rows)


def sample(name, kind, title, description, inp, mech, diagram=None):
    data = {"name": name, "kind": kind, "title": title, "description": description,
            "input": inp, "mechanism": mech}
    if diagram:
        data["diagram"] = diagram
    with open(os.path.join(OUT, name + ".json"), "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=2)
        f.write("\n")


os.makedirs(OUT, exist_ok=True)

# 1. Seed 000 §4.3: cross-attention of scalars. Queries Y, inputs X; s_ji = y_j x_i.
sample("seed000-cross", "seed", "Seed 000 §4.3: cross-attention of scalars",
       "Queries y=5..8 attend over inputs x=1..4 (dot score, softmax); outputs approach 4",
       {"type": "sequence", "text": "1,2,3,4", "queries": {"type": "sequence", "text": "5,6,7,8"}},
       {"score": "dot", "norm": "softmax", "projection": "identity", "heads": 1})

# 2. Seed 001 §4.3: the text example (its printed numbers are not reproducible).
sample("seed001-text", "seed", "Seed 001 §4.3: \"I went to the store\"",
       "Self-attention over the seed's sentence, 4 heads of random projections",
       {"type": "text", "text": "I went to the store and bought some apples", "tokenizer": "word",
        "positions": True},
       {"score": "scaled-dot", "norm": "softmax", "projection": "random", "heads": 4, "dim": 64, "seed": 1})

# 3. Seed 002 §4.3: one-hot embeddings, W_a = I. One query attends over e1, e2, e3; each scores
#    e_j^T W_a e_j = 1 (the query is the sum of the embeddings), so every weight is 1/3, with the
#    ratio normaliser and with softmax; element-wise combination gives e_j' = w_j e_j.
for norm in ("ratio", "softmax"):
    sample("seed002-" + norm, "seed", "Seed 002 §4.3: bilinear score, %s normaliser" % norm,
           "One-hot e1,e2,e3 with W_a = I: every weight is 1/3 (the seed's 0.37037 is wrong)",
           {"type": "sequence", "text": "1,0,0;0,1,0;0,0,1", "queries": {"type": "sequence", "text": "1,1,1;"}},
           {"score": "bilinear", "norm": norm, "projection": "identity", "combine": "element-wise"})

# 4. Seed 004 §4.3: sigmoid gate. f(x) = 2 x1 + 1 is expressed as a dot product: each input
#    carries a constant 1 as a third component (the bias) and the query is (2, 0, 1).
sample("seed004-sigmoid", "seed", "Seed 004 §4.3: sigmoid gate",
       "Inputs [1,2],[2,3],[3,4]; f(x)=2x1+1 gives weights 0.9526, 0.9933, 0.9991 and output [5.9365, 8.8814]",
       {"type": "sequence", "text": "1,2,1;2,3,1;3,4,1", "queries": {"type": "sequence", "text": "2,0,1;"}},
       {"score": "dot", "norm": "sigmoid", "projection": "identity"})

# 5. Seed 004 §5.6: 10-feature vectors through an attention layer (random but seeded).
rng = random.Random(42)
rows = [[rng.random() for _ in range(10)] for _ in range(12)]
sample("seed004-mlp", "seed", "Seed 004 §5.6: attention over 10-feature vectors",
       "Twelve random (seeded) 10-feature samples, 2 heads of random projections",
       {"type": "sequence", "text": vectors(rows)},
       {"score": "scaled-dot", "norm": "softmax", "projection": "random", "heads": 2, "dim": 10, "seed": 42})

# Texts.
sample("text-fox", "text", "The quick brown fox",
       "An English sentence with repeated words: identical tokens attend to each other",
       {"type": "text", "text": "The quick brown fox jumps over the lazy dog because the dog was sleeping.",
        "tokenizer": "word", "positions": False},
       {"score": "scaled-dot", "norm": "softmax", "projection": "identity", "heads": 1, "dim": 64})
sample("text-attention", "text", "What attention does",
       "A longer English sentence, 4 heads of random projections with positions, causal",
       {"type": "text", "text": "Attention lets every word look at every other word, so the model can decide "
                                "which words matter for the meaning of the sentence.",
        "tokenizer": "word", "positions": True},
       {"score": "scaled-dot", "norm": "softmax", "projection": "random", "heads": 4, "dim": 64,
        "causal": True, "seed": 7})
sample("text-playing", "text", "Related words",
       "Words sharing stems (play, played, player, playing) get related embeddings: cosine score",
       {"type": "text", "text": "The player played while the other players were playing and the teacher "
                                "was teaching the teachers", "tokenizer": "word", "positions": False},
       {"score": "cosine", "norm": "softmax", "temperature": 0.1, "projection": "identity"})
sample("text-zh", "text", "注意力机制（中文）",
       "A Chinese sentence: each CJK character is a token, local window of 3",
       {"type": "text", "text": "注意力机制让模型在处理每个词时，关注输入中最相关的部分。", "tokenizer": "word",
        "positions": True},
       {"score": "scaled-dot", "norm": "softmax", "projection": "identity", "scope": "hybrid", "window": 3,
        "global_tokens": 1})

# Numeric sequences.
seasonal = [10 + 3 * math.sin(2 * math.pi * t / 12) + 0.05 * t + random.Random(t).gauss(0, 0.2)
            for t in range(48)]
mean = sum(seasonal) / len(seasonal)
windows = [[seasonal[t] - mean, seasonal[t - 1] - mean, seasonal[t - 2] - mean] for t in range(2, 48)]
sample("seq-seasonal", "sequence", "Seasonal time series",
       "46 months of a period-12 series as (x_t, x_t-1, x_t-2) windows: cosine attention finds the same phase",
       {"type": "sequence", "text": vectors(windows)},
       {"score": "cosine", "norm": "softmax", "temperature": 0.2, "projection": "identity"})
crng = random.Random(3)
centres = [(0, 3), (3, -2), (-3, -2)]
points = []
for k in range(18):
    cx, cy = centres[k % 3]
    points.append([cx + crng.gauss(0, 0.4), cy + crng.gauss(0, 0.4)])
sample("seq-clusters", "sequence", "Three clusters of 2-D points",
       "18 points from three clusters, interleaved: scaled-dot attention shows the cluster structure",
       {"type": "sequence", "text": vectors(points)},
       {"score": "scaled-dot", "norm": "softmax", "projection": "identity"})

# The seeds' pipeline diagrams (resources/diagrams/*.mmd), shown in the Pipeline tab. Each carries
# the default sample's sentence and a mechanism that has the stages its nodes name, so they bind.
FOX = {"type": "text", "text": "The quick brown fox jumps over the lazy dog because the dog was sleeping.",
       "tokenizer": "word", "positions": False}
sample("seed000-diagram", "diagram", "Seed 000 §2.2: 注意力机制架构 (pipeline)",
       "Seed 000's diagram 输入编码 → 注意力计算 → 加权求和 → 输出, bound to the stages of the default sentence",
       FOX, {"score": "scaled-dot", "norm": "softmax", "projection": "identity", "heads": 1, "dim": 64},
       "diagrams/seed000.mmd")
sample("seed001-diagram", "diagram", "Seed 001 §2.2: self-, multi-head and dynamic attention (pipeline)",
       "Seed 001's 9-node diagram with its weight branch, bound to 4 heads of random projections and a dynamic gate",
       FOX, {"score": "scaled-dot", "norm": "softmax", "projection": "random", "heads": 4, "dim": 64, "seed": 1,
             "dynamic": "gate"},
       "diagrams/seed001.mmd")
sample("seed002-diagram", "diagram", "Seed 002 §2.3: 注意力机制流程图 (pipeline)",
       "Seed 002's diagram 输入数据 → 注意力计算 → 权重分配 → 深度学习模型 → 输出结果 (the model node has no stage)",
       FOX, {"score": "bilinear", "norm": "softmax", "projection": "identity", "heads": 1, "dim": 64},
       "diagrams/seed002.mmd")
sample("seed004-diagram", "diagram", "Seed 004 §2.5: 输入层 → … → 结果输出 (pipeline)",
       "Seed 004's diagram 输入层 → 特征提取 → 中间层 → 权重调整 → 输出层 → 结果输出, with a sigmoid gate",
       FOX, {"score": "scaled-dot", "norm": "sigmoid", "projection": "identity", "heads": 1, "dim": 64},
       "diagrams/seed004.mmd")
# The bundled real model (resources/models/stories260k, llama2.c, MIT): paths under models/ are
# resolved against the data folder (share/attnscope, or the build tree's link to resources/).
STORIES = "models/stories260k"
sample("model-story", "model", "stories260K: a story prompt (real model)",
       "Karpathy's 260K-parameter Llama-2 model (5 layers x 8 heads) reading the start of a story",
       {"type": "model", "path": STORIES, "text": "Once upon a time, there was a little girl named Lily. She loved to play outside."},
       {"score": "scaled-dot", "norm": "softmax"})
# Checked by tst_llama2c::bundledModelSamples: layer 1, head 1 is the model's strongest first-token
# head on this prompt (0.30 of each late row's weight on <s>, six times an even share).
sample("model-bos-sink", "model", "stories260K: attention to the BOS token (real model)",
       "Layer 1 head 1 gives <s> 30% of each late row's weight, six times an even share: sort the heads by first-token mass",
       {"type": "model", "path": STORIES, "text": "Tom had a red ball. He threw the ball. The ball went far."},
       {"score": "scaled-dot", "norm": "softmax"})
print("wrote samples to", os.path.normpath(OUT))
