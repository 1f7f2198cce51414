#!/usr/bin/python3
"""Writes tests/fixtures/llama2c/<case>/, the reference outputs that tests/core/tst_llama2c.cpp compares
the native llama2.c model (core/LlamaModel) against.

Run with Debian's python3 (torch + numpy):  /usr/bin/python3 tests/tools/make_llama2c_fixtures.py
It reads the stories260K checkpoint bundled under resources/models/stories260k (or the folder in
$ATTNSCOPE_BUNDLED_MODEL). The output is committed; the
computation is deterministic, so a rerun reproduces the same numbers.

This is an independent implementation written from the llama2.c file format and the Llama-2
architecture description, not a port of the C++ code: weights are read with numpy, the forward pass
runs in float64 torch on the whole prompt at once (RoPE as complex multiplication of (2i, 2i+1)
pairs, grouped-query attention by repeat_interleave, causal mask by -inf), and the tokenizer is
llama2.c's run.c `encode` algorithm re-implemented over Python dicts.

Each case directory holds
  tokens.json        {"name", "prompt", "ids": [...], "strings": [...]}  (the token pieces as stored in
                     tok512.bin, decoded as UTF-8); bos_only also has "greedy_ids", the first
                     GREEDY_STEPS tokens of greedy (argmax) generation from BOS alone
  attention.npy      float32 [L, H, N, N], every layer's and head's softmax weights (0 above the diagonal)
  last_logits.npy    float32 [vocab], the logits at the last position
"""
import json
import math
import os
import shutil
import struct

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "llama2c")
MODEL_DIR = os.environ.get("ATTNSCOPE_BUNDLED_MODEL",
                           os.path.join(HERE, "..", "..", "resources", "models", "stories260k"))

BOS = 1
EOS = 2
GREEDY_STEPS = 110

# name, prompt text (None: the ids are given directly)
CASES = [
    ("once_upon_a_time", "Once upon a time", None),
    ("lily_park_dog", "Lily liked to play in the park with her dog.", None),
    ("sun_shining", "The sun was shining.", None),
    ("bos_only", "", None),
    ("utf8_fallback", "Caf\u00e9 na\u00efve \u2014 \U0001F642!", None),
    ("lily_two_sentences",
     "Once upon a time, there was a little girl named Lily. She loved to play outside in the park.", None),
]


# ----------------------------------------------------------------------------------------- reading

def read_checkpoint(path):
    with open(path, "rb") as f:
        raw = f.read()
    dim, hidden, layers, heads, kv_heads, vocab, seq_len = struct.unpack_from("<7i", raw, 0)
    shared = vocab > 0
    vocab = abs(vocab)
    head_size = dim // heads
    kv_dim = kv_heads * head_size
    floats = np.frombuffer(raw, dtype="<f4", offset=28).astype(np.float64)
    pos = 0

    def take(*shape):
        nonlocal pos
        count = int(np.prod(shape))
        a = floats[pos:pos + count].reshape(shape)
        pos += count
        return torch.from_numpy(a.copy())

    w = {}
    w["emb"] = take(vocab, dim)
    w["rms_att"] = take(layers, dim)
    w["wq"] = take(layers, dim, dim)
    w["wk"] = take(layers, kv_dim, dim)
    w["wv"] = take(layers, kv_dim, dim)
    w["wo"] = take(layers, dim, dim)
    w["rms_ffn"] = take(layers, dim)
    w["w1"] = take(layers, hidden, dim)
    w["w2"] = take(layers, dim, hidden)
    w["w3"] = take(layers, hidden, dim)
    w["rms_final"] = take(dim)
    take(seq_len, head_size // 2)  # freq_cis_real (unused: recomputed)
    take(seq_len, head_size // 2)  # freq_cis_imag
    w["wcls"] = w["emb"] if shared else take(vocab, dim)
    assert pos == floats.size, (pos, floats.size)
    cfg = dict(dim=dim, hidden=hidden, layers=layers, heads=heads, kv_heads=kv_heads, vocab=vocab,
               seq_len=seq_len, head_size=head_size, shared=shared)
    return cfg, w


def read_tokenizer(path, vocab):
    with open(path, "rb") as f:
        raw = f.read()
    (max_len,) = struct.unpack_from("<i", raw, 0)
    off = 4
    pieces, scores = [], []
    for _ in range(vocab):
        score, n = struct.unpack_from("<fi", raw, off)
        off += 8
        pieces.append(raw[off:off + n])
        off += n
        scores.append(score)
    assert off == len(raw)
    assert max(len(p) for p in pieces) <= max_len
    return pieces, scores


# --------------------------------------------------------------------------------------- tokenizer

class Tokenizer:
    def __init__(self, pieces, scores):
        self.pieces = pieces
        self.scores = scores
        self.lookup = {}
        for i, p in enumerate(pieces):
            self.lookup.setdefault(p, i)

    def encode(self, text, bos=True):
        """llama2.c run.c encode(): BOS, a dummy-prefix " " token for non-empty text, one token per
        UTF-8 code point (at most 4 bytes grouped) or its bytes + 3, then repeatedly merge the adjacent
        pair whose concatenation is the best-scoring vocabulary entry (first such pair on ties)."""
        data = text.encode("utf-8")
        ids = [BOS] if bos else []
        if data:
            ids.append(self.lookup[b" "])
        buf = b""
        for i, c in enumerate(data):
            if (c & 0xC0) != 0x80:
                buf = b""
            buf += bytes([c])
            nxt = data[i + 1] if i + 1 < len(data) else 0
            if (nxt & 0xC0) == 0x80 and len(buf) < 4:
                continue
            if buf in self.lookup:
                ids.append(self.lookup[buf])
            else:
                ids.extend(b + 3 for b in buf)
            buf = b""
        while True:
            best = None
            for i in range(len(ids) - 1):
                merged = self.pieces[ids[i]] + self.pieces[ids[i + 1]]
                j = self.lookup.get(merged)
                if j is not None and (best is None or self.scores[j] > best[0]):
                    best = (self.scores[j], j, i)
            if best is None:
                break
            _, j, i = best
            ids[i:i + 2] = [j]
        return ids

    def decode(self, prev, tok):
        piece = self.pieces[tok]
        if prev == BOS and piece.startswith(b" "):
            piece = piece[1:]
        if len(piece) == 6 and piece.startswith(b"<0x") and piece.endswith(b">"):
            return bytes([int(piece[3:5], 16)])
        return piece


# ----------------------------------------------------------------------------------------- forward

def rmsnorm(x, weight, eps=1e-5):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * weight


def forward(cfg, w, ids):
    """Whole-prompt forward in float64. Returns (attention [L, H, N, N], logits [N, vocab])."""
    n = len(ids)
    hs = cfg["head_size"]
    heads, kv_heads = cfg["heads"], cfg["kv_heads"]
    x = w["emb"][torch.tensor(ids)]
    pos = torch.arange(n, dtype=torch.float64)
    inv_freq = 1.0 / (10000.0 ** (torch.arange(0, hs, 2, dtype=torch.float64) / hs))
    angles = torch.outer(pos, inv_freq)                          # [N, hs/2]
    rotation = torch.polar(torch.ones_like(angles), angles)      # e^{i p f}

    def rope(t):  # [N, heads, hs]: pairs (2i, 2i+1) as one complex number each
        c = torch.view_as_complex(t.reshape(n, t.shape[1], hs // 2, 2).contiguous())
        return torch.view_as_real(c * rotation[:, None, :]).reshape(t.shape)

    causal = torch.triu(torch.full((n, n), float("-inf"), dtype=torch.float64), diagonal=1)
    maps = []
    for l in range(cfg["layers"]):
        h = rmsnorm(x, w["rms_att"][l])
        q = rope((h @ w["wq"][l].T).view(n, heads, hs))
        k = rope((h @ w["wk"][l].T).view(n, kv_heads, hs))
        v = (h @ w["wv"][l].T).view(n, kv_heads, hs)
        k = k.repeat_interleave(heads // kv_heads, dim=1)
        v = v.repeat_interleave(heads // kv_heads, dim=1)
        scores = torch.einsum("qhd,khd->hqk", q, k) / math.sqrt(hs) + causal
        p = torch.softmax(scores, dim=-1)
        maps.append(p)
        o = torch.einsum("hqk,khd->qhd", p, v).reshape(n, cfg["dim"])
        x = x + o @ w["wo"][l].T
        h = rmsnorm(x, w["rms_ffn"][l])
        x = x + (torch.nn.functional.silu(h @ w["w1"][l].T) * (h @ w["w3"][l].T)) @ w["w2"][l].T
    x = rmsnorm(x, w["rms_final"])
    return torch.stack(maps), x @ w["wcls"].T


def greedy(cfg, w, ids, steps):
    ids = list(ids)
    out = []
    for _ in range(steps):
        _, logits = forward(cfg, w, ids)
        nxt = int(torch.argmax(logits[-1]))
        if nxt in (BOS, EOS):
            break
        out.append(nxt)
        ids.append(nxt)
    return out


# -------------------------------------------------------------------------------------------- main

def save_npy(path, array):
    np.save(path, np.ascontiguousarray(array, dtype="<f4"))


def sample_text():
    """The temperature-0 sample printed in stories260K.md."""
    with open(os.path.join(MODEL_DIR, "stories260K.md"), encoding="utf-8") as f:
        lines = f.read().split("\n")
    start = next(i for i, s in enumerate(lines) if s.startswith("$ ./run") and "-t 0.0" in s) + 1
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("```"))
    return "\n".join(lines[start:end])


def main():
    torch.set_num_threads(1)
    cfg, w = read_checkpoint(os.path.join(MODEL_DIR, "stories260K.bin"))
    pieces, scores = read_tokenizer(os.path.join(MODEL_DIR, "tok512.bin"), cfg["vocab"])
    tok = Tokenizer(pieces, scores)

    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    with torch.no_grad():
        for name, prompt, given in CASES:
            ids = given if given is not None else tok.encode(prompt)
            att, logits = forward(cfg, w, ids)
            assert torch.allclose(att.sum(-1), torch.ones((), dtype=torch.float64))
            d = os.path.join(OUT, name)
            os.makedirs(d)
            meta = {"name": name, "prompt": prompt, "ids": ids,
                    "strings": [pieces[i].decode("utf-8") for i in ids]}
            if name == "bos_only":
                gen = greedy(cfg, w, ids, GREEDY_STEPS)
                text = b""
                prev = BOS
                for t in gen:
                    text += tok.decode(prev, t)
                    prev = t
                text = text.decode("utf-8")
                expected = sample_text()
                assert expected.startswith(text), (text, expected)
                print("greedy from BOS: %d tokens match the stories260K.md sample" % len(gen))
                meta["greedy_ids"] = gen
            save_npy(os.path.join(d, "attention.npy"), att.numpy())
            save_npy(os.path.join(d, "last_logits.npy"), logits[-1].numpy())
            with open(os.path.join(d, "tokens.json"), "w", encoding="utf-8") as f:
                f.write("{\n" + ",\n".join(" %s: %s" % (json.dumps(k), json.dumps(v, ensure_ascii=False))
                                            for k, v in meta.items()) + "\n}\n")
            print("%-20s %3d tokens %s" % (name, len(ids), ids))
    total = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(OUT) for f in fs)
    print("wrote %d cases to %s (%d bytes)" % (len(CASES), os.path.normpath(OUT), total))
    assert total < 1024 * 1024


if __name__ == "__main__":
    main()
