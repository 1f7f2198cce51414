#!/usr/bin/python3
"""Writes a seeded random-weight Hugging Face folder of Qwen2.5-0.5B's shape (24 layers, hidden 896,
14 heads, 2 kv heads, head size 64, FFN 4864, vocabulary 151 936, q/k/v biases, tied embeddings,
rope theta 1e6) in BF16 safetensors (about 0.99 GB), with a byte-level tokenizer.json (the 256 byte
symbols, no merges: one token per byte, so an N-character ASCII prompt is N tokens plus none added),
for the long-prompt benchmarks (bench/run-long.sh). Never committed; run:
    /usr/bin/python3 bench/make_qwen2_shape.py /tmp/attnscope-bench/qwen2.5-0.5b-shape
Weights: normal(0, 0.02) (norm weights 1), seeded; written layer by layer so the script needs
little memory."""
import json
import os
import struct
import sys

import numpy as np

L, D, H, KV, HD, F, V = 24, 896, 14, 2, 64, 4864, 151936


def bf16_bytes(a):
    """float32 -> bfloat16 (round to nearest even), as little-endian bytes."""
    u = np.ascontiguousarray(a, dtype=np.float32).view(np.uint32)
    rounded = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    return rounded.astype(np.uint16).tobytes()


def tensors():
    """(name, shape, generator of the values) in file order."""
    out = [("model.embed_tokens.weight", (V, D))]
    for l in range(L):
        p = "model.layers.%d." % l
        out += [(p + "input_layernorm.weight", (D,)),
                (p + "self_attn.q_proj.weight", (H * HD, D)), (p + "self_attn.q_proj.bias", (H * HD,)),
                (p + "self_attn.k_proj.weight", (KV * HD, D)), (p + "self_attn.k_proj.bias", (KV * HD,)),
                (p + "self_attn.v_proj.weight", (KV * HD, D)), (p + "self_attn.v_proj.bias", (KV * HD,)),
                (p + "self_attn.o_proj.weight", (D, H * HD)),
                (p + "post_attention_layernorm.weight", (D,)),
                (p + "mlp.gate_proj.weight", (F, D)), (p + "mlp.up_proj.weight", (F, D)),
                (p + "mlp.down_proj.weight", (D, F))]
    out.append(("model.norm.weight", (D,)))
    return out


def byte_alphabet():
    """GPT-2's bytes_to_unicode: printable bytes map to themselves, the rest to U+0100 upwards."""
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    chars, extra = {}, 0
    for b in range(256):
        if b in keep:
            chars[b] = chr(b)
        else:
            chars[b] = chr(256 + extra)
            extra += 1
    return chars


def main(folder):
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(20261207)
    specs = tensors()
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    for name, shape in specs:
        size = int(np.prod(shape)) * 2
        header[name] = {"dtype": "BF16", "shape": list(shape), "data_offsets": [offset, offset + size]}
        offset += size
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * (-len(head) % 8)
    path = os.path.join(folder, "model.safetensors")
    with open(path + ".part", "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for name, shape in specs:
            if name.endswith("layernorm.weight") or name == "model.norm.weight":
                values = np.ones(shape, dtype=np.float32)
            else:
                values = rng.standard_normal(shape, dtype=np.float32) * np.float32(0.02)
            f.write(bf16_bytes(values))
    os.replace(path + ".part", path)
    config = {
        "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_size": D,
        "intermediate_size": F, "num_hidden_layers": L, "num_attention_heads": H, "num_key_value_heads": KV,
        "vocab_size": V, "max_position_embeddings": 32768, "rope_theta": 1000000.0, "rms_norm_eps": 1e-6,
        "hidden_act": "silu", "tie_word_embeddings": True, "use_sliding_window": False, "sliding_window": 32768,
        "max_window_layers": 21, "bos_token_id": 151643, "eos_token_id": 151643, "torch_dtype": "bfloat16",
    }
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=1)
    alphabet = byte_alphabet()
    vocab = {alphabet[b]: b for b in range(256)}
    tokenizer = {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": 256, "content": "<|endoftext|>", "single_word": False, "lstrip": False,
                          "rstrip": False, "normalized": False, "special": True}],
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": None, "decoder": {"type": "ByteLevel"},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False,
                  "vocab": {**vocab, "<|endoftext|>": 256}, "merges": []},
    }
    with open(os.path.join(folder, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer, f, ensure_ascii=False)
    print("%s: %.2f GB of BF16 weights" % (path, os.path.getsize(path) / 1e9))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_qwen2_shape.py FOLDER")
    main(sys.argv[1])
