#!/usr/bin/python3
"""Writes a seeded random-weight GGUF of Llama 3.2 1B's shape (16 layers, hidden 2048, 32 heads, 8 kv heads,
FFN 8192, vocabulary 128 256, tied embeddings) quantised as a Q4_K_M-style mix (Q4_K; Q6_K for attn_v and
ffn_down of every other layer and for the embedding), for bench/NOTES.md's memory measurement of GGUF
models: the file is about 0.8 GB; its float32 copy would be 4.9 GB. Never committed; run:
    /usr/bin/python3 bench/make_large_gguf.py /tmp/llama1b-q4km.gguf
Uses tests/tools/gguf_writer.py (our own writer and quantisers)."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "tools"))
import gguf_writer as gw  # noqa: E402

L, D, H, KV, F, V = 16, 2048, 32, 8, 8192, 128256
HD = D // H


def main(path):
    rng = np.random.default_rng(1234)
    w = gw.GGUFWriter()
    w.add("general.architecture", "llama", "string")
    w.add("general.name", "random Llama-3.2-1B shape", "string")
    w.add("general.file_type", 15, "uint32")
    for key, value in [("context_length", 131072), ("embedding_length", D), ("block_count", L),
                       ("feed_forward_length", F), ("attention.head_count", H), ("attention.head_count_kv", KV),
                       ("rope.dimension_count", HD), ("vocab_size", V)]:
        w.add("llama." + key, value, "uint32")
    w.add("llama.rope.freq_base", 500000.0, "float32")
    w.add("llama.attention.layer_norm_rms_epsilon", 1e-5, "float32")
    tokens = ["<unk>", "<s>", "</s>"] + ["<0x%02X>" % b for b in range(256)]
    tokens += ["\u2581" + "t%d" % i for i in range(V - len(tokens))]
    w.add("tokenizer.ggml.model", "llama", "string")
    w.add("tokenizer.ggml.tokens", tokens, "array[string]")
    w.add("tokenizer.ggml.scores", [0.0] * V, "array[float32]")
    w.add("tokenizer.ggml.token_type", [2, 3, 3] + [6] * 256 + [1] * (V - 259), "array[int32]")
    w.add("tokenizer.ggml.bos_token_id", 1, "uint32")
    w.add("tokenizer.ggml.eos_token_id", 2, "uint32")

    def tensor(name, rows, cols, kind, scale):
        w.add_tensor(name, (rng.standard_normal((rows, cols), dtype=np.float32) * scale), kind)

    tensor("token_embd.weight", V, D, "Q6_K", 0.02)
    for l in range(L):
        p = "blk.%d." % l
        w.add_tensor(p + "attn_norm.weight", np.ones(D, np.float32), "F32")
        tensor(p + "attn_q.weight", D, D, "Q4_K", 0.03)
        tensor(p + "attn_k.weight", KV * HD, D, "Q4_K", 0.03)
        tensor(p + "attn_v.weight", KV * HD, D, "Q6_K" if l % 2 else "Q4_K", 0.03)
        tensor(p + "attn_output.weight", D, D, "Q4_K", 0.02)
        w.add_tensor(p + "ffn_norm.weight", np.ones(D, np.float32), "F32")
        tensor(p + "ffn_gate.weight", F, D, "Q4_K", 0.02)
        tensor(p + "ffn_up.weight", F, D, "Q4_K", 0.02)
        tensor(p + "ffn_down.weight", D, F, "Q6_K" if l % 2 else "Q4_K", 0.02)
        print("layer", l, file=sys.stderr)
    w.add_tensor("output_norm.weight", np.ones(D, np.float32), "F32")
    size = w.write(path)
    print("wrote %s (%.1f MB)" % (path, size / 1e6))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/llama1b-q4km.gguf")
