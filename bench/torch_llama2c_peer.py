#!/usr/bin/python3
"""The torch peer of `attnscope-bench --case stories260k-forward`: the stories260K forward pass, timed the same way.

    /usr/bin/python3 bench/torch_llama2c_peer.py --threads T [--model DIR] [--sizes 256] [--repeats R]

The weights come from stories260K.bin through read_checkpoint() of tests/tools/make_llama2c_fixtures.py (the
independent reference the C++ model is tested against); the forward is that file's forward() in float32 under
no_grad: the whole prompt at once, RoPE as complex multiplication, grouped-query attention by repeat_interleave,
a causal -inf mask, softmax (so every layer's [8, N, N] attention is materialised, as attnscope captures it),
SwiGLU, and the logits. Token ids as attnscope-bench's: BOS, then 3 + (37 i mod (vocab - 3)).
Before timing, the float32 attention at N = 16 is checked against the float64 reference (max |diff| < 1e-4).
One warm-up call, then R timed calls (default: about 1 s, at least 3); the median is reported as one JSON line
with the keys of attnscope-bench plus "impl":"torch". Exit 0 ok, 1 the check failed, 2 usage.
"""
import argparse
import importlib.util
import json
import math
import os
import resource
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", type=int, required=True)
    p.add_argument("--model", default=None, help="folder holding stories260K.bin")
    p.add_argument("--sizes", default="256")
    p.add_argument("--repeats", type=int, default=0)
    a = p.parse_args()
    if a.threads < 1:
        p.error("--threads must be positive")
    try:
        a.sizes = [int(s) for s in a.sizes.split(",")]
    except ValueError:
        p.error("--sizes: not a list of whole numbers")
    return a


def main():
    args = parse_args()
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
    import torch
    torch.set_num_threads(args.threads)

    spec = importlib.util.spec_from_file_location(
        "llama2c_ref", os.path.join(HERE, "..", "tests", "tools", "make_llama2c_fixtures.py"))
    ref = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ref)
    model = args.model or ref.MODEL_DIR
    cfg, w64 = ref.read_checkpoint(os.path.join(model, "stories260K.bin"))
    w32 = {k: v.to(torch.float32) for k, v in w64.items()}

    def forward32(ids):
        # make_llama2c_fixtures.forward with its float64 constants made float32
        n = len(ids)
        hs = cfg["head_size"]
        heads, kv_heads = cfg["heads"], cfg["kv_heads"]
        x = w32["emb"][torch.tensor(ids)]
        pos = torch.arange(n, dtype=torch.float32)
        inv_freq = 1.0 / (10000.0 ** (torch.arange(0, hs, 2, dtype=torch.float32) / hs))
        rotation = torch.polar(torch.ones(n, hs // 2), torch.outer(pos, inv_freq))

        def rope(t):
            c = torch.view_as_complex(t.reshape(n, t.shape[1], hs // 2, 2).contiguous())
            return torch.view_as_real(c * rotation[:, None, :]).reshape(t.shape)

        causal = torch.triu(torch.full((n, n), float("-inf")), diagonal=1)
        maps = []
        for l in range(cfg["layers"]):
            h = ref.rmsnorm(x, w32["rms_att"][l])
            q = rope((h @ w32["wq"][l].T).view(n, heads, hs))
            k = rope((h @ w32["wk"][l].T).view(n, kv_heads, hs))
            v = (h @ w32["wv"][l].T).view(n, kv_heads, hs)
            k = k.repeat_interleave(heads // kv_heads, dim=1)
            v = v.repeat_interleave(heads // kv_heads, dim=1)
            p = torch.softmax(torch.einsum("qhd,khd->hqk", q, k) / math.sqrt(hs) + causal, dim=-1)
            maps.append(p)
            o = torch.einsum("hqk,khd->qhd", p, v).reshape(n, cfg["dim"])
            x = x + o @ w32["wo"][l].T
            h = ref.rmsnorm(x, w32["rms_ffn"][l])
            x = x + (torch.nn.functional.silu(h @ w32["w1"][l].T) * (h @ w32["w3"][l].T)) @ w32["w2"][l].T
        x = ref.rmsnorm(x, w32["rms_final"])
        return torch.stack(maps), x[-1] @ w32["wcls"].T

    def token_ids(n):
        return [1] + [3 + (37 * i) % (cfg["vocab"] - 3) for i in range(1, n)]

    with torch.no_grad():
        check = token_ids(16)
        diff = (forward32(check)[0].double() - ref.forward(cfg, w64, check)[0]).abs().max().item()
        if diff > 1e-4:
            print("torch_llama2c_peer.py: the float32 forward differs from the reference by %g" % diff, file=sys.stderr)
            return 1
        for n in args.sizes:
            if n > cfg["seq_len"]:
                print("torch_llama2c_peer.py: N=%d exceeds seq_len %d" % (n, cfg["seq_len"]), file=sys.stderr)
                return 2
            ids = token_ids(n)
            start = time.perf_counter()
            forward32(ids)
            warm = (time.perf_counter() - start) * 1000.0
            repeats = args.repeats or max(3, min(10000, math.ceil(1000.0 / max(warm, 1e-3))))
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                maps, logits = forward32(ids)
                times.append((time.perf_counter() - start) * 1000.0)
            print(json.dumps({"case": "stories260k-forward", "n": n, "layers": cfg["layers"], "heads": cfg["heads"],
                              "median_ms": round(statistics.median(times), 4), "min_ms": round(min(times), 4),
                              "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1),
                              "impl": "torch", "threads": args.threads, "repeats": repeats,
                              "check_max_diff": diff}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
