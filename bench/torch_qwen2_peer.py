#!/usr/bin/python3
"""The PyTorch peer of attnscope-long-bench: the same Qwen2 checkpoint (a folder written by
bench/make_qwen2_shape.py), the same seeded ids, one forward pass in eager attention as Hugging Face's
Qwen2 does with output_attentions=True (every layer's softmax map [H, N, N] kept, float32), written
here from transformers' modeling_qwen2 (RMSNorm, rotate-half RoPE, q/k/v biases, grouped-query
attention, SwiGLU), the logits of the last position only (as attnscope computes them; HF would compute
all N rows, which favours the peer). Debian's python3-torch, run with /usr/bin/python3:
    /usr/bin/python3 bench/torch_qwen2_peer.py --model DIR --tokens N [--threads T] [--repeats R]
Prints one JSON line: {"case":"torch-forward","n":N,"min_ms":...,"median_ms":...,"max_ms":...,
"peak_rss_mb":...,"maps_mb":...} or, when the maps alone would not fit the memory this machine has
available, {"case":"torch-forward","n":N,"failed":"...","maps_mb":...} without trying (a 22.5 GB
allocation would take the machine down, not measure anything)."""
import argparse
import json
import os
import resource
import struct
import time

import numpy as np
import torch


def load_safetensors(path):
    with open(path, "rb") as f:
        length = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(length))
        base = 8 + length
        out = {}
        for name, info in header.items():
            if name == "__metadata__":
                continue
            begin, end = info["data_offsets"]
            f.seek(base + begin)
            raw = np.frombuffer(f.read(end - begin), dtype=np.uint16 if info["dtype"] == "BF16" else np.float32)
            if info["dtype"] == "BF16":
                raw = (raw.astype(np.uint32) << 16).view(np.float32)
            out[name] = torch.from_numpy(raw.reshape(info["shape"]).copy())
    return out


def mem_available_mb():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024.0
    return float("inf")


def rms_norm(x, w, eps):
    variance = x.pow(2).mean(-1, keepdim=True)
    return w * (x * torch.rsqrt(variance + eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def forward(w, cfg, ids):
    D, H, KV = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd, eps, n = D // H, cfg["rms_norm_eps"], len(ids)
    inv = 1.0 / (cfg["rope_theta"] ** (torch.arange(0, hd, 2, dtype=torch.float32) / hd))
    freqs = torch.outer(torch.arange(n, dtype=torch.float32), inv)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos(), emb.sin()
    mask = torch.full((n, n), float("-inf")).triu(1)
    x = w["model.embed_tokens.weight"][torch.tensor(ids)]
    attentions = []
    for l in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % l
        h = rms_norm(x, w[p + "input_layernorm.weight"], eps)
        q = (h @ w[p + "self_attn.q_proj.weight"].T + w[p + "self_attn.q_proj.bias"]).view(n, H, hd).transpose(0, 1)
        k = (h @ w[p + "self_attn.k_proj.weight"].T + w[p + "self_attn.k_proj.bias"]).view(n, KV, hd).transpose(0, 1)
        v = (h @ w[p + "self_attn.v_proj.weight"].T + w[p + "self_attn.v_proj.bias"]).view(n, KV, hd).transpose(0, 1)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(H // KV, dim=0)
        v = v.repeat_interleave(H // KV, dim=0)
        scores = q @ k.transpose(1, 2) / (hd ** 0.5) + mask
        a = torch.softmax(scores, dim=-1, dtype=torch.float32)
        attentions.append(a)  # output_attentions: every map kept
        o = (a @ v).transpose(0, 1).reshape(n, D)
        x = x + o @ w[p + "self_attn.o_proj.weight"].T
        h = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        gate = torch.nn.functional.silu(h @ w[p + "mlp.gate_proj.weight"].T)
        x = x + (gate * (h @ w[p + "mlp.up_proj.weight"].T)) @ w[p + "mlp.down_proj.weight"].T
    last = rms_norm(x[-1:], w["model.norm.weight"], eps)
    logits = last @ w["model.embed_tokens.weight"].T
    return attentions, logits


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--tokens", type=int, default=1024)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    with open(os.path.join(a.model, "config.json")) as f:
        cfg = json.load(f)
    L, H, n = cfg["num_hidden_layers"], cfg["num_attention_heads"], a.tokens
    maps_mb = L * H * n * n * 4 / 2**20
    weights_mb = os.path.getsize(os.path.join(a.model, "model.safetensors")) * 2 / 2**20  # as float32
    # The maps, the float32 weights, and one layer's scores beside its softmax.
    needed = maps_mb + weights_mb + 2 * H * n * n * 4 / 2**20
    if needed > 0.9 * mem_available_mb():
        print(json.dumps({"case": "torch-forward", "n": n, "maps_mb": round(maps_mb),
                          "failed": "needs %.1f GB (%.1f GB of maps with output_attentions), more than the %.1f GB "
                                    "this machine has available" % (needed / 1024, maps_mb / 1024,
                                                                    mem_available_mb() / 1024)}))
        return
    w = load_safetensors(os.path.join(a.model, "model.safetensors"))
    rng = np.random.default_rng(7)
    ids = [int(i) for i in rng.integers(0, cfg["vocab_size"], n)]
    times = []
    with torch.inference_mode():
        for _ in range(a.repeats):
            start = time.perf_counter()
            attentions, logits = forward(w, cfg, ids)
            times.append((time.perf_counter() - start) * 1000.0)
            check = float(attentions[-1][0, -1, 0]) + float(logits[0, 0])
            del attentions, logits
    times.sort()
    print(json.dumps({"case": "torch-forward", "n": n, "min_ms": round(times[0], 1),
                      "median_ms": round(times[len(times) // 2], 1), "max_ms": round(times[-1], 1),
                      "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                      "maps_mb": round(maps_mb), "threads": a.threads, "check": check}))


if __name__ == "__main__":
    main()
