#!/usr/bin/python3
"""Writes tests/fixtures/gguf/: GGUF files (from tests/tools/gguf_writer.py, written from the GGUF spec and
ggml's block layouts, no gguf-py / llama.cpp code) and the references the C++ GGUF reader, dequantisers,
model loaders and tokenizers are compared against.

Run with Debian's python3 (numpy, torch, regex):  /usr/bin/python3 tests/tools/make_gguf_fixtures.py
Deterministic (fixed seeds, one torch thread): a rerun reproduces every byte. The folder is recreated.

Dequantisation reference: gguf_writer.dequantize() transcribes ggml-quants.c's dequantize_row_* with numpy
float32 operations in the C order (fp16 -> fp32 exactly, then e.g. Q4_K y = (d1 * q) - m1 with d1 = d * sc,
each product / difference rounded to float32, no fused multiply-add); it is checked bit for bit against a
literal scalar transcription of the C loops. The quantisers are simple absmax / min-max encoders (not
ggml's search), re-deriving every quant from the already-rounded scales.

Model references: a float64 torch forward following Hugging Face's modeling_llama / modeling_qwen2 (RMSNorm,
rotate_half RoPE on the un-permuted weights, repeat_kv, causal softmax) on the weights read back from the
written GGUF file and dequantised with the reference above (Q / K un-permuted again for "llama").

Model files' metadata, in this order (ARCH = llama | qwen2): general.architecture, general.name (string);
ARCH.context_length, ARCH.embedding_length, ARCH.block_count, ARCH.feed_forward_length,
ARCH.attention.head_count, ARCH.attention.head_count_kv (uint32); ARCH.rope.freq_base,
ARCH.attention.layer_norm_rms_epsilon (float32); ARCH.rope.dimension_count, ARCH.vocab_size,
general.file_type (llama_ftype), general.quantization_version = 2 (uint32); then tokenizer.ggml.model (string),
.tokens (array[string]), [llama: .scores (array[float32])], .token_type (array[int32]), [qwen2: .pre (string),
.merges (array[string])], .bos_token_id, .eos_token_id, [llama: .unknown_token_id] (uint32),
.add_bos_token (bool), [llama: .add_space_prefix (bool)]. No general.alignment (32). Tensors in the order
token_embd, blk.N.{attn_norm, attn_q, [attn_q.bias], attn_k, [attn_k.bias], attn_v, [attn_v.bias], attn_output,
ffn_norm, ffn_gate, ffn_up, ffn_down}, output_norm, output.

Files (dims in GGUF order, ne[0] first; every file little-endian; alignment 32 unless said otherwise):
  dequant.gguf           v3; tensors t.F32 t.F16 t.BF16 t.Q4_0 t.Q4_1 t.Q5_0 t.Q5_1 t.Q8_0 t.Q2_K t.Q3_K
                         t.Q4_K t.Q5_K t.Q6_K, each dims [512, 3] of the same seeded values (outliers, exact
                         zeros, negative runs, an all-positive and a tiny-scale (fp16-subnormal scales)
                         super-block, an all-zero super-block); metadata general.name only
  dequant/<TYPE>.npy     float32 [3, 512]: the reference dequantisation of that tensor's stored bytes
  dequant_v2.gguf        v2, general.alignment = 64 (uint32): t.Q8_0, t.F32, t.Q4_K (same bytes as in
                         dequant.gguf); its header ends so that 32- and 64-alignment give different data offsets
  metadata.gguf          v3: one key of every value type (extremes, UTF-8 with CJK / emoji, bool true and false,
                         arrays of every scalar type, of strings, an empty array, arrays of arrays), explicit
                         general.alignment = 32, one tensor t.F32 dims [4] = [1, -2, 0.5, 0]
  metadata.json          {"version", "alignment", "tensors": [{"name","type","dims","values"}], "kv": [{"key",
                         "type", "value"} | {"key", "type": "array", "element_type", "value": [...]}]}; nested
                         arrays are {"type": "array", "element_type", "value"} items; uint64 / int64 values
                         (also inside arrays) are decimal strings; float32 values are the exact float32 value
  llama-<T>.gguf         T = F32 F16 BF16 Q8_0 Q4_0 Q4_1 Q5_0 Q5_1: tests/fixtures/hf/llama converted as
                         convert_hf_to_gguf.py does for "llama" (Q / K rows permuted for interleaved RoPE,
                         1-D norms always F32, every 2-D weight incl. token_embd and output in T), llama.* keys,
                         SentencePiece ("llama") tokenizer with scores = -(merge rank + 1) for merged tokens
  llama-<T>.attention.npy   (quantised T only) float32 [L, H, N, N] for tests/fixtures/hf/llama/expected.json
                         "ids"; for F32 / F16 / BF16 tests/fixtures/hf/llama/attention.npy is the reference
  tokenizer.json         [{"text", "ids"}]: this script's port of llama.cpp's llm_tokenizer_spm on the llama GGUF
                         vocabulary (BOS first, add_space_prefix), tricky strings
  kq-Q4_K_M.gguf, kq-mix.gguf   seeded random llama (hidden 256, 4 heads of 64, 2 kv heads, ffn 256, 2 layers,
                         vocab 64, untied output, SentencePiece tokenizer: <unk> <s> </s> + 61 pieces, scores 0);
                         Q4_K_M as llama.cpp picks (q4_k_m_type: output Q6_K, attn_v / ffn_down Q6_K in
                         layer 1 and Q4_K in layer 0, Q4_K otherwise; file_type 15); mix: Q2_K / Q3_K / Q5_K /
                         Q6_K per tensor (KQ_MIX; file_type 10 = MOSTLY_Q2_K)
  kq-<name>.attention.npy, kq-full.attention.npy   [2, 4, 24, 24] from the dequantised / unquantised weights
  kq.json                {"ids", "files": {"kq-Q4_K_M.gguf": {"tensor_types", "max_abs_attention_diff_vs_full",
                         "max_abs_weight_error"}, ...}}
  qwen2-F32.gguf, qwen2-Q8_0.gguf   seeded random qwen2 (hidden 64, 4 heads, 2 kv heads, ffn 128, 2 layers,
                         q/k/v biases, no permutation, NEOX RoPE), qwen2.* keys, byte-level BPE ("gpt2",
                         pre "qwen2") tokenizer: 256 byte symbols (GPT-2 order), 43 merges ("a b", of QWEN2_WORDS
                         incl. 你好 / 世界 / runs of spaces / "\n\n"), <|endoftext|> last (control, bos = eos,
                         add_bos_token false); output.weight present (untied)
  qwen2-<T>.attention.npy   float32 [2, 4, N, N] for qwen2.json "ids"
  qwen2.json             {"ids", "add_bos": false, "cases": [{"text", "pieces", "text_ids"}]}: Qwen2's
                         pre-tokenizer regex (the `regex` module) + byte-level BPE, no BOS
  gemma2-F32.gguf, gemma2-Q8_0.gguf   tests/fixtures/hf/gemma2 as convert_hf_to_gguf.py's Gemma2Model writes it
                         (see make_gemma2: gemma2.* keys incl. the soft caps and sliding window, every norm
                         stored as 1 + w, post_attention_norm / post_ffw_norm, no permutation, tied head), a
                         96-token SentencePiece vocabulary (add_space_prefix false)
  gemma2-<T>.attention.npy   [2, 4, 12, 12] for hf/gemma2/expected.json "ids": llama.cpp's Gemma 2 graph in
                         float64 on the file's weights (scale 1/sqrt(key_length): a GGUF cannot carry the HF
                         fixture's query_pre_attn_scalar 24; embeddings x sqrt(32) unrounded)
  phi3-F32.gguf, phi3-Q8_0.gguf   tests/fixtures/hf/phi3 as Phi3MiniModel writes it (attn_qkv, ffn_up = gate_up,
                         rope.dimension_count 4, attention.sliding_window, untied output); phi3-Q8_0.attention.npy
                         the HF forward on its dequantised weights (F32: hf/phi3/attention.npy is the reference)
  llama3-F32.gguf        tests/fixtures/hf/llama3 as LlamaModel writes it: Q / K permuted, tied head,
                         rope_freqs.weight [4] (the llama3 rope scaling factors, from rope_scaling's
                         original_max_position_embeddings 256), eot_token_id 3; hf/llama3/attention.npy is the
                         reference
  llama3-tokenizer.gguf  tokenizer only (no tensors): "gpt2" model, pre "llama-bpe", 256 byte symbols + the merges
                         of LLAMA3_WORDS + " llama" (no merge makes it) + 3 control tokens; add_bos_token true
  llama3-tokenizer.json  {"pattern", "add_bos": true, "cases": [{"text", "pieces", "ids"}]}: Llama 3's regex (the
                         `regex` module), ignore_merges, byte-level BPE, BOS first
"""
import hashlib
import heapq
import json
import math
import os
import shutil
import struct
import sys

import numpy as np
import regex
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gguf_writer as gw  # noqa: E402
from gguf_writer import GGUFWriter, Array  # noqa: E402
import make_hf_fixtures as hf  # noqa: E402  (bytes_to_unicode, bpe, llama_encode)

ROOT = os.path.normpath(os.path.join(HERE, ".."))
OUT = os.path.join(ROOT, "fixtures", "gguf")
HF_LLAMA = os.path.join(ROOT, "fixtures", "hf", "llama")

ALL_TYPES = ["F32", "F16", "BF16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"]
LLAMA_TYPES = ["F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1"]
FILE_TYPE = {"F32": 0, "F16": 1, "Q4_0": 2, "Q4_1": 3, "Q8_0": 7, "Q5_0": 8, "Q5_1": 9, "BF16": 32,
             "Q4_K_M": 15, "mix": 10}  # llama_ftype
REPORT = {"quant_error": {}, "checks": {}}


def out(*parts):
    return os.path.join(OUT, *parts)


def save_npy(path, a):
    np.save(path, np.ascontiguousarray(np.asarray(a), dtype="<f4"))


def dump_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)
        f.write("\n")


# ------------------------------------------------------------------------------------- safetensors

def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack_from("<Q", data, 0)
    header = json.loads(data[8:8 + n])
    base = 8 + n
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        raw = data[base + a:base + b]
        if info["dtype"] == "BF16":
            u = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << np.uint32(16)
            t = u.view("<f4").astype(np.float32)
        elif info["dtype"] == "F16":
            t = np.frombuffer(raw, dtype="<f2").astype(np.float32)
        elif info["dtype"] == "F32":
            t = np.frombuffer(raw, dtype="<f4").astype(np.float32)
        else:
            raise ValueError(info["dtype"])
        tensors[name] = t.reshape(info["shape"])
    return tensors


def read_hf_folder(d):
    with open(os.path.join(d, "model.safetensors.index.json")) as f:
        index = json.load(f)
    w = {}
    for shard in sorted(set(index["weight_map"].values())):
        w.update(read_safetensors(os.path.join(d, shard)))
    assert set(w) == set(index["weight_map"])
    return w


# ------------------------------------------------------------------------------ HF <-> GGUF names

def permute(w, n_head):
    """convert_hf_to_gguf.py's LlamaModel.permute: rotate_half pairs (i, i + hd/2) -> adjacent (2i, 2i+1)."""
    rows, cols = w.shape
    return w.reshape(n_head, 2, rows // n_head // 2, cols).swapaxes(1, 2).reshape(rows, cols)


def unpermute(w, n_head):
    rows, cols = w.shape
    return w.reshape(n_head, rows // n_head // 2, 2, cols).swapaxes(1, 2).reshape(rows, cols)


def gguf_name_map(layers, bias):
    m = {"model.embed_tokens.weight": "token_embd.weight", "model.norm.weight": "output_norm.weight",
         "lm_head.weight": "output.weight"}
    for l in range(layers):
        h, g = "model.layers.%d." % l, "blk.%d." % l
        m.update({h + "input_layernorm.weight": g + "attn_norm.weight",
                  h + "self_attn.q_proj.weight": g + "attn_q.weight",
                  h + "self_attn.k_proj.weight": g + "attn_k.weight",
                  h + "self_attn.v_proj.weight": g + "attn_v.weight",
                  h + "self_attn.o_proj.weight": g + "attn_output.weight",
                  h + "post_attention_layernorm.weight": g + "ffn_norm.weight",
                  h + "mlp.gate_proj.weight": g + "ffn_gate.weight",
                  h + "mlp.up_proj.weight": g + "ffn_up.weight",
                  h + "mlp.down_proj.weight": g + "ffn_down.weight"})
        if bias:
            for p in "qkv":
                m[h + "self_attn.%s_proj.bias" % p] = g + "attn_%s.bias" % p
    return m


def gguf_order(layers, bias):
    names = ["token_embd.weight"]
    for l in range(layers):
        g = "blk.%d." % l
        names += [g + "attn_norm.weight", g + "attn_q.weight"]
        names += [g + "attn_q.bias"] if bias else []
        names += [g + "attn_k.weight"] + ([g + "attn_k.bias"] if bias else [])
        names += [g + "attn_v.weight"] + ([g + "attn_v.bias"] if bias else [])
        names += [g + "attn_output.weight", g + "ffn_norm.weight", g + "ffn_gate.weight", g + "ffn_up.weight",
                  g + "ffn_down.weight"]
    return names + ["output_norm.weight", "output.weight"]


def to_gguf_tensors(hfw, cfg, arch):
    """HF weights (float32 numpy) -> {gguf name: array as convert_hf_to_gguf.py writes it}."""
    bias = arch == "qwen2"
    m = gguf_name_map(cfg["layers"], bias)
    t = {}
    for hn, a in hfw.items():
        g = m[hn]
        if arch == "llama" and g.endswith("attn_q.weight"):
            a = permute(a, cfg["heads"])
        elif arch == "llama" and g.endswith("attn_k.weight"):
            a = permute(a, cfg["kv_heads"])  # n_head = num_key_value_heads for K
        t[g] = np.ascontiguousarray(a, dtype=np.float32)
    assert set(t) == set(gguf_order(cfg["layers"], bias))
    return t


def from_gguf_file(f, cfg, arch):
    """Read every tensor back from a GGUFFile, dequantise, and return HF-named float64 torch tensors."""
    inv = {g: h for h, g in gguf_name_map(cfg["layers"], arch == "qwen2").items()}
    w = {}
    for g in f.tensors:
        a = f.tensor(g).astype(np.float64)
        if arch == "llama" and g.endswith("attn_q.weight"):
            a = unpermute(a, cfg["heads"])
        elif arch == "llama" and g.endswith("attn_k.weight"):
            a = unpermute(a, cfg["kv_heads"])
        w[inv[g]] = torch.from_numpy(np.ascontiguousarray(a))
    return w


# ------------------------------------------------------------------------------------ the forward

def forward(w, cfg, ids):
    """Hugging Face LlamaModel / Qwen2Model (eager, float64): every layer's attention [L, H, N, N]."""
    n = len(ids)
    H, KV, D = cfg["heads"], cfg["kv_heads"], cfg["hidden"]
    hd = D // H
    eps, theta = cfg["eps"], cfg["theta"]

    def rms(x, weight):  # LlamaRMSNorm / Qwen2RMSNorm
        return weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))

    def rotate_half(x):
        x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
        return torch.cat((-x2, x1), dim=-1)

    def lin(x, name):
        y = x @ w[name + ".weight"].T
        b = w.get(name + ".bias")
        return y if b is None else y + b

    inv_freq = 1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd))
    freqs = torch.outer(torch.arange(n, dtype=torch.float64), inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos()[:, None, :], emb.sin()[:, None, :]
    x = w["model.embed_tokens.weight"][torch.tensor(ids)]
    maps = []
    for l in range(cfg["layers"]):
        e = "model.layers.%d." % l
        h = rms(x, w[e + "input_layernorm.weight"])
        q = lin(h, e + "self_attn.q_proj").view(n, H, hd)
        k = lin(h, e + "self_attn.k_proj").view(n, KV, hd)
        v = lin(h, e + "self_attn.v_proj").view(n, KV, hd)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(H // KV, dim=1)  # repeat_kv
        v = v.repeat_interleave(H // KV, dim=1)
        ctx, probs = hf.attention(q, k, v, H, causal=True)
        maps.append(probs)
        x = x + lin(ctx, e + "self_attn.o_proj")
        h = rms(x, w[e + "post_attention_layernorm.weight"])
        x = x + lin(torch.nn.functional.silu(lin(h, e + "mlp.gate_proj")) * lin(h, e + "mlp.up_proj"),
                    e + "mlp.down_proj")
    return torch.stack(maps)


# ------------------------------------------------------------------------------------- GGUF models

def add_model_metadata(wr, arch, name, cfg, file_type):
    wr.add("general.architecture", arch, "string")
    wr.add("general.name", name, "string")
    p = arch + "."
    wr.add(p + "context_length", cfg["context"], "uint32")
    wr.add(p + "embedding_length", cfg["hidden"], "uint32")
    wr.add(p + "block_count", cfg["layers"], "uint32")
    wr.add(p + "feed_forward_length", cfg["ffn"], "uint32")
    wr.add(p + "attention.head_count", cfg["heads"], "uint32")
    wr.add(p + "attention.head_count_kv", cfg["kv_heads"], "uint32")
    wr.add(p + "rope.freq_base", cfg["theta"], "float32")
    wr.add(p + "attention.layer_norm_rms_epsilon", cfg["eps"], "float32")
    wr.add(p + "rope.dimension_count", cfg["hidden"] // cfg["heads"], "uint32")
    wr.add(p + "vocab_size", cfg["vocab"], "uint32")
    wr.add("general.file_type", file_type, "uint32")
    wr.add("general.quantization_version", 2, "uint32")


def add_spm_tokenizer(wr, tokens, scores, types, bos=1, eos=2, unk=0):
    wr.add("tokenizer.ggml.model", "llama", "string")
    wr.add("tokenizer.ggml.tokens", tokens, "array[string]")
    wr.add("tokenizer.ggml.scores", [float(s) for s in scores], "array[float32]")
    wr.add("tokenizer.ggml.token_type", types, "array[int32]")
    wr.add("tokenizer.ggml.bos_token_id", bos, "uint32")
    wr.add("tokenizer.ggml.eos_token_id", eos, "uint32")
    wr.add("tokenizer.ggml.unknown_token_id", unk, "uint32")
    wr.add("tokenizer.ggml.add_bos_token", True, "bool")
    wr.add("tokenizer.ggml.add_space_prefix", True, "bool")


def spm_token_types(tokens):
    types = []
    for t in tokens:
        if t == "<unk>":
            types.append(2)
        elif t in ("<s>", "</s>"):
            types.append(3)
        elif len(t) == 6 and t.startswith("<0x") and t.endswith(">"):
            types.append(6)
        else:
            types.append(1)
    return types


def write_model(path, arch, name, cfg, tensors, type_of, file_type, add_tokenizer, version=3):
    wr = GGUFWriter(version=version)
    add_model_metadata(wr, arch, name, cfg, file_type)
    add_tokenizer(wr)
    for g in gguf_order(cfg["layers"], arch == "qwen2"):
        a = tensors[g]
        wr.add_tensor(g, a, "F32" if a.ndim == 1 else type_of(g))
    size = wr.write(path)
    with open(path, "rb") as f:
        back = gw.read_gguf(f.read())
    return back, size


def model_weight_error(back, tensors):
    return max(float(np.abs(back.tensor(g) - a).max()) for g, a in tensors.items())


# ----------------------------------------------------------------------------- SentencePiece (spm)

def spm_tokenize(text, vocab, scores, add_bos=True, add_space_prefix=True, bos=1):
    """llama.cpp's llm_tokenizer_spm (no special-token parsing): optional ' ' prefix, ' ' -> '▁', UTF-8
    characters as symbols, merge the adjacent pair whose concatenation is a token with the highest score
    (leftmost on ties) until none is left, then each symbol -> its token or its UTF-8 bytes as <0xXX>."""
    ids = [bos] if add_bos else []
    if not text:
        return ids
    if add_space_prefix:
        text = " " + text
    text = text.replace(" ", "\u2581")
    # llama.cpp's version: a linked list of symbols and a max-heap of bigrams (score, then smaller left first)
    sym = [{"text": ch, "prev": i - 1, "next": i + 1 if i + 1 < len(text) else -1} for i, ch in enumerate(text)]
    heap = []

    def try_add(left, right):
        if left == -1 or right == -1:
            return
        s = sym[left]["text"] + sym[right]["text"]
        if s in vocab:
            heapq.heappush(heap, (-scores[vocab[s]], left, s))

    for i in range(1, len(sym)):
        try_add(i - 1, i)
    while heap:
        _, left, s = heapq.heappop(heap)
        right = sym[left]["next"]
        if right == -1 or not sym[left]["text"] or sym[left]["text"] + sym[right]["text"] != s:
            continue  # outdated bigram
        sym[left]["text"] = s
        sym[left]["next"] = sym[right]["next"]
        sym[right]["text"] = ""
        if sym[right]["next"] != -1:
            sym[sym[right]["next"]]["prev"] = left
        try_add(sym[left]["prev"], left)
        try_add(left, sym[left]["next"])
    i = 0
    while i != -1:
        t = sym[i]["text"]
        if t in vocab:
            ids.append(vocab[t])
        else:
            ids += [vocab["<0x%02X>" % b] for b in t.encode("utf-8")]
        i = sym[i]["next"]
    return ids


def spm_tokenize_special(text, vocab, scores, specials, bos=1):
    """As llama.cpp tokenizes a prompt with parse_special: control tokens in the text (longest first)
    are single tokens, and each stretch of text at the start or after a control token gets the space
    prefix; the stretches go through spm_tokenize."""
    ids = [bos]
    at, i, prev_special = 0, 0, True
    ordered = sorted(specials, key=len, reverse=True)

    def flush(end):
        nonlocal prev_special
        if end > at:
            ids.extend(spm_tokenize(text[at:end], vocab, scores, add_bos=False, add_space_prefix=prev_special))
            prev_special = False

    while i < len(text):
        hit = next((t for t in ordered if text.startswith(t, i)), None)
        if hit is None:
            i += 1
            continue
        flush(i)
        ids.append(vocab[hit])
        prev_special = True
        i += len(hit)
        at = i
    flush(len(text))
    return ids


def spm_tokenize_naive(text, vocab, scores, bos=1):
    """The same rule written as a plain rescan each step (cross-check of the heap version)."""
    ids = [bos]
    if not text:
        return ids
    syms = list((" " + text).replace(" ", "\u2581"))
    while True:
        best = None
        for i in range(len(syms) - 1):
            s = syms[i] + syms[i + 1]
            if s in vocab and (best is None or scores[vocab[s]] > best[0]):
                best = (scores[vocab[s]], i)
        if best is None:
            break
        i = best[1]
        syms[i:i + 2] = [syms[i] + syms[i + 1]]
    for t in syms:
        ids += [vocab[t]] if t in vocab else [vocab["<0x%02X>" % b] for b in t.encode("utf-8")]
    return ids


SPM_CASES = [
    "Once upon a time the cat sat on the mat",
    "",
    " ",
    "   ",
    "the",
    " the cat ",
    "  leading spaces",
    "trailing spaces   ",
    "multiple   spaces  between    words",
    "Once upon a time, the cat sat on the mat.",
    "thethe catcat",
    "THE CAT SAT",
    "Tom ate Oats",
    "你好，世界",
    "東京 the cat",
    "llama 🦙 and 🎉🎉",
    "e\u0301 versus \u00e9 (combining acute vs precomposed)",
    "a\u0308\u0304 stacked marks",
    "digits 1234567890 and 3.14",
    "tab\tand\nnewline\r\n",
    "x\u2581y already has a \u2581",
    "<s> is a control token, so is </s>",
    "\u00ff\u0100 Latin-1 and beyond",
    "\U0001d518\U00010348 astral",
    "Zażółć gęślą jaźń",
    "ελληνικά кириллица",
]


# ------------------------------------------------------------------------------ byte-level BPE (qwen2)

QWEN2_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                 r"|\s*[\r\n]+|\s+(?!\S)|\s+")

QWEN2_WORDS = [" the", " cat", " sat", " on", " mat", "Hello", " world", " don", "'t", "'ll", "  ", "    ", "\n\n",
               "你好", "世界"]  # merged left to right in their byte-level spelling


def make_qwen2_tokenizer():
    b2u = hf.bytes_to_unicode()
    vocab = {}
    for b, u in sorted(b2u.items(), key=lambda p: ord(p[1])):
        vocab[u] = len(vocab)
    merges = []
    for word in QWEN2_WORDS:
        syms = [b2u[b] for b in word.encode("utf-8")]
        while len(syms) > 1:
            merged = syms[0] + syms[1]
            if (syms[0], syms[1]) not in merges:
                merges.append((syms[0], syms[1]))
                if merged not in vocab:
                    vocab[merged] = len(vocab)
            syms = [merged] + syms[2:]
    vocab["<|endoftext|>"] = len(vocab)
    return vocab, merges


def qwen2_encode(text, vocab, merges):
    b2u = hf.bytes_to_unicode()
    ranks = {m: i for i, m in enumerate(merges)}
    pieces = regex.findall(QWEN2_PATTERN, text)
    assert "".join(pieces) == text
    ids = []
    for piece in pieces:
        ids += [vocab[s] for s in hf.bpe([b2u[b] for b in piece.encode("utf-8")], ranks)]
    return pieces, ids


QWEN2_CASES = [
    "Hello world, the cat sat on the mat.",
    "I'LL go, don't you'll? She's here, they'RE not",
    "你好世界，你好！",
    "emoji 🦙🎉 and 👍🏽",
    "digits 1234567 and 3.14159",
    "many      spaces   here  ",
    "line one\nline two\n\n\n  indented\r\n",
    "   leading",
    "Ωμέγα café naïve",
    "tabs\t\tand  \t mixed",
]


# -------------------------------------------------------------------------------------- a. dequant

def dequant_values():
    rng = np.random.default_rng(20240601)
    x = rng.standard_normal((3, 512))
    # row 0: plain normal values, sparse large outliers, ~5% exact zeros
    x[0, rng.choice(512, 6, replace=False)] = np.array([41.0, -37.5, 18.0, -60.25, 25.0, -12.0])
    x[0, rng.choice(512, 26, replace=False)] = 0.0
    # row 1: an all-positive super-block (min > 0), then a tiny-scale one (fp16-subnormal block scales)
    x[1, :256] = np.abs(x[1, :256]) + 0.25
    x[1, 256:] *= 2e-4
    # row 2: an all-negative super-block with an all-zero 32-block, then an all-zero super-block
    x[2, :256] = -np.abs(x[2, :256]) * 3.0 - 0.1
    x[2, 64:96] = 0.0
    x[2, 256:] = 0.0
    return x.astype(np.float32)


def make_dequant():
    x = dequant_values()
    os.makedirs(out("dequant"))
    wr = GGUFWriter(version=3)
    wr.add("general.name", "AttnScope dequantisation test", "string")
    raws = {}
    for t in ALL_TYPES:
        raws[t] = gw.quantize(x.reshape(-1), t)
        wr.add_raw_tensor("t." + t, [512, 3], t, raws[t])
    wr.write(out("dequant.gguf"))
    with open(out("dequant.gguf"), "rb") as f:
        back = gw.read_gguf(f.read())
    for t in ALL_TYPES:
        y = gw.dequantize(back.raw("t." + t), t, 3 * 512)
        assert back.raw("t." + t) == raws[t]
        y_loops = gw.dequantize_loops(raws[t], t, 3 * 512)
        assert np.array_equal(y.view(np.uint32), y_loops.view(np.uint32)), t  # bit for bit
        save_npy(out("dequant", t + ".npy"), y.reshape(3, 512))
        err = np.abs(y.reshape(3, 512).astype(np.float64) - x)
        # per type: overall max abs error, and the worst error relative to its 32-value block's max |x|
        blk = np.abs(x).reshape(-1, 32).max(axis=1, keepdims=True)
        rel = np.where(blk > 0, err.reshape(-1, 32) / np.where(blk > 0, blk, 1), 0).max()
        REPORT["quant_error"][t] = {"max_abs": float(err.max()), "max_rel_to_block_absmax": float(rel),
                                    "max_abs_row0": float(err[0].max())}

    # v2 with alignment 64; pad general.name so that the header end is 1..32 past a multiple of 64
    for extra in range(64):
        wr = GGUFWriter(version=2, alignment=64)
        wr.add("general.name", "AttnScope v2 test" + "." * extra, "string")
        for t in ("Q8_0", "F32", "Q4_K"):
            wr.add_raw_tensor("t." + t, [512, 3], t, raws[t])
        data = wr.to_bytes()
        pos = _header_end(data)
        if 1 <= pos % 64 <= 31:
            break
    assert 1 <= pos % 64 <= 31  # align_32(pos) != align_64(pos)
    with open(out("dequant_v2.gguf"), "wb") as fh:
        fh.write(data)
    f = gw.read_gguf(data)
    assert f.version == 2 and f.alignment == 64 and f.data_offset % 64 == 0
    assert [f.tensors[n][2] for n in ("t.Q8_0", "t.F32", "t.Q4_K")] == [0, 1664, 1664 + 6144]
    for t in ("Q8_0", "F32", "Q4_K"):
        assert f.raw("t." + t) == raws[t]


def _header_end(data):
    """Byte position right after the last tensor info (before the alignment padding)."""
    f = gw.read_gguf(data)
    pos = 24
    # walk again: cheap and independent of GGUFFile internals
    (n_t, n_kv) = struct.unpack_from("<QQ", data, 8)

    def skip_value(vt, pos):
        name = gw.VALUE_TYPE_NAMES[vt]
        if name == "string":
            (n,) = struct.unpack_from("<Q", data, pos)
            return pos + 8 + n
        if name == "array":
            et, n = struct.unpack_from("<IQ", data, pos)
            pos += 12
            for _ in range(n):
                pos = skip_value(et, pos)
            return pos
        if name == "bool":
            return pos + 1
        return pos + struct.calcsize(gw._SCALAR_FMT[name])

    for _ in range(n_kv):
        (n,) = struct.unpack_from("<Q", data, pos)
        pos += 8 + n
        (vt,) = struct.unpack_from("<I", data, pos)
        pos = skip_value(vt, pos + 4)
    for _ in range(n_t):
        (n,) = struct.unpack_from("<Q", data, pos)
        pos += 8 + n
        (nd,) = struct.unpack_from("<I", data, pos)
        pos += 4 + 8 * nd + 4 + 8
    assert f.data_offset == pos + (f.alignment - pos % f.alignment) % f.alignment
    return pos


# ------------------------------------------------------------------------------------- b. metadata

def make_metadata():
    f32 = lambda v: float(np.float32(v))  # noqa: E731
    kv = [
        ("general.alignment", "uint32", 32),
        ("general.name", "string", "AttnScope metadata test"),
        ("test.uint8", "uint8", 255),
        ("test.uint8_zero", "uint8", 0),
        ("test.int8", "int8", -128),
        ("test.int8_max", "int8", 127),
        ("test.uint16", "uint16", 65535),
        ("test.int16", "int16", -32768),
        ("test.uint32", "uint32", 4294967295),
        ("test.int32", "int32", -2147483648),
        ("test.int32_max", "int32", 2147483647),
        ("test.float32", "float32", f32(3.14159)),
        ("test.float32_negative_tiny", "float32", f32(-1.5e-40)),  # a float32 subnormal
        ("test.float32_large", "float32", f32(3.0e38)),
        ("test.bool_true", "bool", True),
        ("test.bool_false", "bool", False),
        ("test.string", "string", "hello"),
        ("test.string_empty", "string", ""),
        ("test.string_utf8", "string", "naïve café, 東京 你好, emoji 🦙🎉, e\u0301, tab\tnewline\n"),
        ("test.uint64_max", "uint64", 18446744073709551615),
        ("test.uint64", "uint64", 1 << 40),
        ("test.int64_min", "int64", -9223372036854775808),
        ("test.int64_max", "int64", 9223372036854775807),
        ("test.float64", "float64", 1e300),
        ("test.float64_negative", "float64", -2.5e-300),
        ("test.array.uint8", "array[uint8]", [0, 1, 255]),
        ("test.array.int8", "array[int8]", [-128, 0, 127]),
        ("test.array.uint16", "array[uint16]", [0, 65535]),
        ("test.array.int16", "array[int16]", [-32768, 32767]),
        ("test.array.uint32", "array[uint32]", [0, 4294967295]),
        ("test.array.int32", "array[int32]", [1, -2, 3, 2147483647, -2147483648]),
        ("test.array.float32", "array[float32]", [f32(0.5), f32(-1.25), f32(1e-3)]),
        ("test.array.bool", "array[bool]", [True, False, True]),
        ("test.array.string", "array[string]", ["a", "", "東京", "🦙 llama", "with space"]),
        ("test.array.uint64", "array[uint64]", [0, 18446744073709551615]),
        ("test.array.int64", "array[int64]", [-9223372036854775808, 9223372036854775807]),
        ("test.array.float64", "array[float64]", [1e300, -1e-300, 0.1]),
        ("test.array.empty", "array[int32]", []),
        ("test.array.empty_string", "array[string]", []),
        ("test.array.nested", "array", Array("array", [Array("int32", [1, 2, 3]), Array("string", ["x", "yz"]),
                                                       Array("uint8", []),
                                                       Array("array", [Array("float64", [2.5])])])),
        ("test.array.nested_int32", "array[array[int32]]", [[1], [2, 3], []]),
        ("test.after_arrays", "string", "the last key"),
    ]
    wr = GGUFWriter(version=3, write_alignment=False)
    for k, t, v in kv:
        wr.add(k, v, t)
    tvals = np.array([1.0, -2.0, 0.5, 0.0], dtype=np.float32)
    wr.add_tensor("t.F32", tvals, "F32")
    data = wr.to_bytes()
    with open(out("metadata.gguf"), "wb") as f:
        f.write(data)

    def jvalue(vtype, v):
        if vtype == "array":
            return {"type": "array", "element_type": v.elem_type,
                    "value": [jvalue(v.elem_type, it) if v.elem_type == "array" else jscalar(v.elem_type, it)
                              for it in v.items]}
        return {"type": vtype, "value": jscalar(vtype, v)}

    def jscalar(vtype, v):
        if vtype in ("uint64", "int64"):
            return str(int(v))
        if vtype == "float32":
            return float(np.float32(v))
        return v

    back = gw.read_gguf(data)
    entries = []
    for k, t, v in wr.kv:
        assert back.metadata[k] == (t, v), k
        e = {"key": k}
        e.update(jvalue(t, v))
        entries.append(e)
    dump_json(out("metadata.json"), {"version": 3, "alignment": 32, "kv_count": len(entries),
                                     "tensors": [{"name": "t.F32", "type": "F32", "dims": [4],
                                                  "values": tvals.tolist()}],
                                     "kv": entries})


# ---------------------------------------------------------------------------------------- c. llama

def llama_tokenizer_from_json():
    with open(os.path.join(HF_LLAMA, "tokenizer.json"), encoding="utf-8") as f:
        tj = json.load(f)
    vocab = tj["model"]["vocab"]
    tokens = [None] * len(vocab)
    for t, i in vocab.items():
        tokens[i] = t
    assert None not in tokens
    ranks = {}
    for r, m in enumerate(tj["model"]["merges"]):
        a, b = m.split(" ")
        ranks.setdefault(a + b, r)
    # SentencePiece-style scores: a merged token scores -(rank of the merge that makes it + 1), others 0, so
    # highest-score-first merging picks exactly BPE's lowest-rank-first order
    scores = [float(-(ranks[t] + 1)) if t in ranks else 0.0 for t in tokens]
    merges = [tuple(m.split(" ")) for m in tj["model"]["merges"]]
    return tokens, scores, spm_token_types(tokens), merges


def make_llama():
    with open(os.path.join(HF_LLAMA, "config.json")) as f:
        hc = json.load(f)
    with open(os.path.join(HF_LLAMA, "expected.json")) as f:
        expected = json.load(f)
    cfg = {"context": hc["max_position_embeddings"], "hidden": hc["hidden_size"], "layers": hc["num_hidden_layers"],
           "ffn": hc["intermediate_size"], "heads": hc["num_attention_heads"], "kv_heads": hc["num_key_value_heads"],
           "theta": hc["rope_theta"], "eps": hc["rms_norm_eps"], "vocab": hc["vocab_size"]}
    hfw = read_hf_folder(HF_LLAMA)
    tensors = to_gguf_tensors(hfw, cfg, "llama")
    tokens, scores, types, merges = llama_tokenizer_from_json()
    assert len(tokens) == cfg["vocab"]
    ids = expected["ids"]
    ref = np.load(os.path.join(HF_LLAMA, "attention.npy"))

    # the forward on the original weights reproduces the committed HF fixture
    w0 = {k: torch.from_numpy(v.astype(np.float64)) for k, v in hfw.items()}
    a0 = forward(w0, cfg, ids).numpy()
    REPORT["checks"]["llama forward (original BF16 weights) vs hf/llama/attention.npy"] = float(np.abs(a0 - ref).max())

    results = {}
    for t in LLAMA_TYPES:
        path = out("llama-%s.gguf" % t)
        back, size = write_model(path, "llama", "AttnScope test llama", cfg, tensors, lambda g: t, FILE_TYPE[t],
                                 lambda wr: add_spm_tokenizer(wr, tokens, scores, types))
        w = from_gguf_file(back, cfg, "llama")
        att = forward(w, cfg, ids).numpy()
        werr = model_weight_error(back, tensors)
        if t == "F32":
            assert werr == 0.0
            assert all(np.array_equal(w[k].numpy(), hfw[k].astype(np.float64)) for k in hfw)
        if t in ("F32", "F16", "BF16"):
            d = float(np.abs(att - ref).max())
            REPORT["checks"]["llama-%s.gguf forward vs hf/llama/attention.npy" % t] = d
            if t == "F32":
                assert d < 1e-6, d
        else:
            save_npy(out("llama-%s.attention.npy" % t), att)
        if t == "Q8_0":  # the file round trip (permute, write, read, dequantise, un-permute) changes nothing
            wq = {k: gw.dequantize(gw.quantize(v, t), t, v.size).reshape(v.shape) if v.ndim == 2 else v
                  for k, v in hfw.items()}
            assert all(np.array_equal(w[k].numpy(), wq[k].astype(np.float64)) for k in hfw)
        results[t] = {"weight_err": werr, "att_vs_full": float(np.abs(att - a0).max())}
    REPORT["llama"] = results

    # f. tokenizer cases
    vocab = {t: i for i, t in enumerate(tokens)}
    cases = []
    specials = [t for t, ty in zip(tokens, spm_token_types(tokens)) if ty == 3]
    for text in SPM_CASES:
        got = spm_tokenize_special(text, vocab, scores, specials)
        if not any(sp in text for sp in specials):
            assert got == spm_tokenize(text, vocab, scores), text
            assert got == spm_tokenize_naive(text, vocab, scores), text
            assert got == hf.llama_encode(text, vocab, merges) or text == "", text  # BPE with byte fallback agrees
        cases.append({"text": text, "ids": got})
    assert cases[0]["ids"] == expected["ids"]
    REPORT["checks"]["spm('%s') == hf/llama/expected.json ids" % SPM_CASES[0]] = True
    dump_json(out("tokenizer.json"), cases)


# -------------------------------------------------------------------------------- random models

def random_hf_weights(seed, cfg, bias, qk_scale, scale, embed_scale):
    gen = torch.Generator().manual_seed(seed)
    D, H, KV, F, V = cfg["hidden"], cfg["heads"], cfg["kv_heads"], cfg["ffn"], cfg["vocab"]
    hd = D // H
    w = {}

    def add(name, *shape, s=scale, const=None):
        t = s * torch.randn(*shape, generator=gen, dtype=torch.float64)
        if const is not None:
            t = t + const
        w[name] = t.to(torch.float32).numpy()

    add("model.embed_tokens.weight", V, D, s=embed_scale)
    for l in range(cfg["layers"]):
        e = "model.layers.%d." % l
        add(e + "input_layernorm.weight", D, s=0.1, const=1.0)
        add(e + "self_attn.q_proj.weight", H * hd, D, s=qk_scale)
        add(e + "self_attn.k_proj.weight", KV * hd, D, s=qk_scale)
        add(e + "self_attn.v_proj.weight", KV * hd, D)
        if bias:
            add(e + "self_attn.q_proj.bias", H * hd, s=0.3)
            add(e + "self_attn.k_proj.bias", KV * hd, s=0.3)
            add(e + "self_attn.v_proj.bias", KV * hd, s=0.1)
        add(e + "self_attn.o_proj.weight", D, H * hd)
        add(e + "post_attention_layernorm.weight", D, s=0.1, const=1.0)
        add(e + "mlp.gate_proj.weight", F, D)
        add(e + "mlp.up_proj.weight", F, D)
        add(e + "mlp.down_proj.weight", D, F)
    add("model.norm.weight", D, s=0.1, const=1.0)
    add("lm_head.weight", V, D, s=embed_scale)
    return w


# ---------------------------------------------------------------------------------------- d. K-quants

KQ_CFG = {"context": 128, "hidden": 256, "layers": 2, "ffn": 256, "heads": 4, "kv_heads": 2, "theta": 10000.0,
          "eps": 1e-5, "vocab": 64}
KQ_MIX = {  # the higher-bit types on the small tensors, to keep the file small
    "token_embd.weight": "Q5_K", "output.weight": "Q6_K",
    "blk.0.attn_q.weight": "Q3_K", "blk.0.attn_k.weight": "Q6_K", "blk.0.attn_v.weight": "Q5_K",
    "blk.0.attn_output.weight": "Q2_K", "blk.0.ffn_gate.weight": "Q3_K", "blk.0.ffn_up.weight": "Q2_K",
    "blk.0.ffn_down.weight": "Q3_K",
    "blk.1.attn_q.weight": "Q2_K", "blk.1.attn_k.weight": "Q5_K", "blk.1.attn_v.weight": "Q6_K",
    "blk.1.attn_output.weight": "Q3_K", "blk.1.ffn_gate.weight": "Q2_K", "blk.1.ffn_up.weight": "Q3_K",
    "blk.1.ffn_down.weight": "Q2_K",
}


def use_more_bits(i, n):  # llama.cpp llama-quant.cpp
    return i < n // 8 or i >= 7 * n // 8 or (i - n // 8) % 3 == 2


def q4_k_m_type(g, n_layer=KQ_CFG["layers"]):
    """llama.cpp's LLAMA_FTYPE_MOSTLY_Q4_K_M choice for a llama without GQA >= 4: output Q6_K; attn_v and
    ffn_down Q6_K in the layers use_more_bits() picks (with 2 layers: layer 1 only); Q4_K otherwise
    (token_embd included)."""
    if g == "output.weight":
        return "Q6_K"
    if g.endswith("attn_v.weight") or g.endswith("ffn_down.weight"):
        return "Q6_K" if use_more_bits(int(g.split(".")[1]), n_layer) else "Q4_K"
    return "Q4_K"


def kq_tokens():
    words = ["▁the", "▁cat", "▁sat", "▁on", "▁mat", "▁a", "▁dog", "▁ran", "▁once", "▁upon", "▁time"]
    chars = list("▁abcdefghijklmnopqrstuvwxyzTO.,!?'-") + ["\n", "0", "1", "2", "3", "4", "5", "6", "7", "8",
                                                          "9", "é", "ö", "中", "文"]
    tokens = ["<unk>", "<s>", "</s>"] + chars + words
    assert len(tokens) == 64 and len(set(tokens)) == 64, len(tokens)
    return tokens


def make_kq():
    cfg = KQ_CFG
    hfw = random_hf_weights(5005, cfg, bias=False, qk_scale=0.09, scale=0.06, embed_scale=1.0)
    tensors = to_gguf_tensors(hfw, cfg, "llama")
    tokens = kq_tokens()
    scores = [0.0] * len(tokens)
    types = spm_token_types(tokens)
    gen = np.random.default_rng(5006)
    ids = [1] + gen.integers(3, cfg["vocab"], 23).tolist()
    w0 = {k: torch.from_numpy(v.astype(np.float64)) for k, v in hfw.items()}
    full = forward(w0, cfg, ids).numpy()
    save_npy(out("kq-full.attention.npy"), full)
    assert set(KQ_MIX) == {g for g, a in tensors.items() if a.ndim == 2}
    assert set(KQ_MIX.values()) == {"Q2_K", "Q3_K", "Q5_K", "Q6_K"}
    info = {}
    for name, type_of in (("Q4_K_M", q4_k_m_type), ("mix", KQ_MIX.get)):
        path = out("kq-%s.gguf" % name)
        back, size = write_model(path, "llama", "AttnScope K-quant test " + name, cfg, tensors, type_of,
                                 FILE_TYPE[name], lambda wr: add_spm_tokenizer(wr, tokens, scores, types))
        w = from_gguf_file(back, cfg, "llama")
        att = forward(w, cfg, ids).numpy()
        save_npy(out("kq-%s.attention.npy" % name), att)
        info["kq-%s.gguf" % name] = {
            "tensor_types": {g: back.tensors[g][1] for g in gguf_order(cfg["layers"], False)},
            "max_abs_attention_diff_vs_full": float(np.abs(att - full).max()),
            "max_abs_weight_error": model_weight_error(back, tensors),
        }
    dump_json(out("kq.json"), {"ids": ids, "files": info})
    REPORT["kq"] = {k: (v["max_abs_attention_diff_vs_full"], v["max_abs_weight_error"]) for k, v in info.items()}


# ------------------------------------------------------------------------------------------ e. qwen2

def make_qwen2():
    vocab, merges = make_qwen2_tokenizer()
    b2u = hf.bytes_to_unicode()
    tokens = [None] * len(vocab)
    for t, i in vocab.items():
        tokens[i] = t
    eot = vocab["<|endoftext|>"]
    cfg = {"context": 128, "hidden": 64, "layers": 2, "ffn": 128, "heads": 4, "kv_heads": 2, "theta": 1000000.0,
           "eps": 1e-6, "vocab": len(tokens)}
    hfw = random_hf_weights(6006, cfg, bias=True, qk_scale=0.15, scale=0.12, embed_scale=1.0)
    tensors = to_gguf_tensors(hfw, cfg, "qwen2")
    cases = []
    for text in QWEN2_CASES:
        pieces, ids = qwen2_encode(text, vocab, merges)
        cases.append({"text": text, "pieces": pieces, "text_ids": ids})
    ids = cases[0]["text_ids"] + [vocab["Ġ"], vocab["".join(b2u[b] for b in "你好".encode("utf-8"))]] + cases[2]["text_ids"][:4]

    def add_tok(wr):
        wr.add("tokenizer.ggml.model", "gpt2", "string")
        wr.add("tokenizer.ggml.pre", "qwen2", "string")
        wr.add("tokenizer.ggml.tokens", tokens, "array[string]")
        wr.add("tokenizer.ggml.token_type", [3 if t == "<|endoftext|>" else 1 for t in tokens], "array[int32]")
        wr.add("tokenizer.ggml.merges", ["%s %s" % m for m in merges], "array[string]")
        wr.add("tokenizer.ggml.bos_token_id", eot, "uint32")
        wr.add("tokenizer.ggml.eos_token_id", eot, "uint32")
        wr.add("tokenizer.ggml.add_bos_token", False, "bool")

    res = {}
    for t in ("F32", "Q8_0"):
        path = out("qwen2-%s.gguf" % t)
        back, size = write_model(path, "qwen2", "AttnScope test qwen2", cfg, tensors, lambda g: t, FILE_TYPE[t], add_tok)
        att = forward(from_gguf_file(back, cfg, "qwen2"), cfg, ids).numpy()
        save_npy(out("qwen2-%s.attention.npy" % t), att)
        res[t] = att
        if t == "F32":
            assert model_weight_error(back, tensors) == 0.0
    REPORT["qwen2_q8_vs_f32"] = float(np.abs(res["Q8_0"] - res["F32"]).max())
    dump_json(out("qwen2.json"), {"ids": ids, "add_bos": False, "cases": cases})


# ------------------------------------------------------------------ g. gemma2, phi3, llama3 from the HF fixtures

HF_DIR = os.path.join(ROOT, "fixtures", "hf")


def read_hf_single(name):
    """tests/fixtures/hf/<name>: config, expected and the one model.safetensors (BF16 -> float32 exactly)."""
    d = os.path.join(HF_DIR, name)
    with open(os.path.join(d, "config.json")) as f:
        hc = json.load(f)
    with open(os.path.join(d, "expected.json")) as f:
        expected = json.load(f)
    return hc, expected, read_safetensors(os.path.join(d, "model.safetensors")), np.load(os.path.join(d, "attention.npy"))


def small_spm_vocab(specials, n):
    """A SentencePiece-style vocabulary of exactly n tokens (the HF fixtures have 96 embedding rows): the given
    specials (control; "<unk>" unknown), then single characters and a few ▁-words, scores 0 (no merges needed)."""
    chars = list("▁abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.,!?'-0123456789")
    words = ["▁the", "▁cat", "▁sat", "▁on", "▁mat", "▁a", "▁dog", "▁ran", "▁once", "▁upon", "▁time", "▁there",
             "▁was", "▁little", "▁girl", "▁play", "▁park", "▁sun", "▁hello", "▁world", "▁and", "▁is", "▁it", "▁in"]
    tokens = list(specials) + chars + words
    tokens = tokens[:n]
    assert len(tokens) == n and len(set(tokens)) == n, (len(tokens), n)
    types = [2 if t == "<unk>" else 3 if t in specials else 1 for t in tokens]
    return tokens, [0.0] * n, types


def add_small_spm(wr, tokens, scores, types, bos, eos, unk, add_space_prefix=True, pad=None):
    wr.add("tokenizer.ggml.model", "llama", "string")
    wr.add("tokenizer.ggml.pre", "default", "string")
    wr.add("tokenizer.ggml.tokens", tokens, "array[string]")
    wr.add("tokenizer.ggml.scores", [float(s) for s in scores], "array[float32]")
    wr.add("tokenizer.ggml.token_type", types, "array[int32]")
    wr.add("tokenizer.ggml.bos_token_id", bos, "uint32")
    wr.add("tokenizer.ggml.eos_token_id", eos, "uint32")
    wr.add("tokenizer.ggml.unknown_token_id", unk, "uint32")
    if pad is not None:
        wr.add("tokenizer.ggml.padding_token_id", pad, "uint32")
    wr.add("tokenizer.ggml.add_bos_token", True, "bool")
    wr.add("tokenizer.ggml.add_space_prefix", add_space_prefix, "bool")


def write_tensors(path, wr, tensors, order, type_of):
    """Adds `order`'s tensors (1-D always F32, as llama.cpp's quantize keeps norms and factor vectors) and writes;
    returns the file read back and its size."""
    assert set(order) == set(tensors), set(order) ^ set(tensors)
    for g in order:
        a = tensors[g]
        wr.add_tensor(g, a, "F32" if a.ndim == 1 else type_of(g))
    size = wr.write(path)
    with open(path, "rb") as f:
        return gw.read_gguf(f.read()), size


def torch_weights(back):
    return {g: torch.from_numpy(np.ascontiguousarray(back.tensor(g).astype(np.float64))) for g in back.tensors}


# Gemma 2 as convert_hf_to_gguf.py's Gemma2Model writes it (read from llama.cpp, not copied):
#   keys  context_length, embedding_length, block_count, feed_forward_length, attention.head_count,
#         attention.head_count_kv, attention.layer_norm_rms_epsilon, attention.key_length / value_length
#         (head_dim), general.file_type, attn_logit_softcapping, final_logit_softcapping,
#         attention.sliding_window. NOT written: rope.freq_base (llama.cpp's default 10000 is used),
#         rope.dimension_count (= key_length), query_pre_attn_scalar (llama.cpp decides the scale from the layer
#         count: 1/sqrt(n_embd / n_head) for the 46-layer 27B, else 1/sqrt(key_length); the converter's tokenizer
#         sets add_space_prefix false). No lm_head (token_embd is the head).
#   names input_layernorm -> attn_norm, post_attention_layernorm -> post_attention_norm,
#         pre_feedforward_layernorm -> ffn_norm, post_feedforward_layernorm -> post_ffw_norm, model.norm ->
#         output_norm, mlp.{gate,up,down}_proj -> ffn_{gate,up,down}; Q and K are NOT permuted (NEOX RoPE).
#   every "*norm.weight" is stored as w + 1 (Gemma2RMSNorm's (1 + w)), so llama.cpp multiplies by the stored
#         weight. The converter adds 1 in the checkpoint's dtype; here it is added in float32, as
#         Gemma2RMSNorm does in its forward ((1.0 + self.weight.float())), so F32 files equal HF exactly.
GEMMA2_LAYER = [("input_layernorm", "attn_norm"), ("self_attn.q_proj", "attn_q"), ("self_attn.k_proj", "attn_k"),
                ("self_attn.v_proj", "attn_v"), ("self_attn.o_proj", "attn_output"),
                ("post_attention_layernorm", "post_attention_norm"), ("pre_feedforward_layernorm", "ffn_norm"),
                ("mlp.gate_proj", "ffn_gate"), ("mlp.up_proj", "ffn_up"), ("mlp.down_proj", "ffn_down"),
                ("post_feedforward_layernorm", "post_ffw_norm")]


def gemma2_tensors(hfw, layers):
    t = {"token_embd.weight": hfw["model.embed_tokens.weight"],
         "output_norm.weight": hfw["model.norm.weight"] + np.float32(1.0)}
    order = ["token_embd.weight"]
    for l in range(layers):
        for h, g in GEMMA2_LAYER:
            a = hfw["model.layers.%d.%s.weight" % (l, h)]
            name = "blk.%d.%s.weight" % (l, g)
            t[name] = a + np.float32(1.0) if g.endswith("norm") else a
            order.append(name)
    assert len(t) == len(hfw) and "lm_head.weight" not in hfw
    t = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in t.items()}
    return t, order + ["output_norm.weight"]


def gemma2_forward(w, hc, ids, scale):
    """llama.cpp's Gemma 2 graph in float64 on GGUF-named weights: x = embd * sqrt(n_embd) (unrounded); RMSNorm
    times the stored (1 + w); NEOX RoPE over key_length dims, theta 10000; scores * scale, tanh soft cap, causal
    mask and the window on even layers (i - j >= W masked); GeGLU (tanh GELU); post norms before each residual."""
    n, H, KV, HD = len(ids), hc["num_attention_heads"], hc["num_key_value_heads"], hc["head_dim"]
    eps, cap, window = hc["rms_norm_eps"], hc["attn_logit_softcapping"], hc["sliding_window"]
    norm = lambda x, name: hf.rms_norm(x, w[name], eps)  # noqa: E731
    inv = hf.default_inv_freq(10000.0, HD)
    x = w["token_embd.weight"][torch.tensor(ids)] * math.sqrt(hc["hidden_size"])
    maps = []
    for l in range(hc["num_hidden_layers"]):
        b = "blk.%d." % l
        h = norm(x, b + "attn_norm.weight")
        q = hf.linear(h, w[b + "attn_q.weight"]).view(n, H, HD)
        k = hf.linear(h, w[b + "attn_k.weight"]).view(n, KV, HD)
        v = hf.linear(h, w[b + "attn_v.weight"]).view(n, KV, HD)
        q, k = hf.rope(q, inv), hf.rope(k, inv)
        ctx, p = hf.attend(q, hf.repeat_kv(k, H), hf.repeat_kv(v, H), scale, softcap=cap,
                           window=window if l % 2 == 0 else None)
        maps.append(p)
        x = x + norm(hf.linear(ctx, w[b + "attn_output.weight"]), b + "post_attention_norm.weight")
        h = norm(x, b + "ffn_norm.weight")
        h = hf.linear(hf.gelu_tanh(hf.linear(h, w[b + "ffn_gate.weight"])) * hf.linear(h, w[b + "ffn_up.weight"]),
                      w[b + "ffn_down.weight"])
        x = x + norm(h, b + "post_ffw_norm.weight")
    return torch.stack(maps)


def make_gemma2():
    hc, expected, hfw, ref = read_hf_single("gemma2")
    L, ids = hc["num_hidden_layers"], expected["ids"]
    tensors, order = gemma2_tensors(hfw, L)
    tokens, scores, types = small_spm_vocab(["<pad>", "<eos>", "<bos>", "<unk>"], hc["vocab_size"])
    scale = hc["head_dim"] ** -0.5  # llama.cpp: not the 46-layer 27B -> 1/sqrt(key_length)
    info = {"ids": ids, "scale": scale, "query_pre_attn_scalar_of_the_hf_folder": hc["query_pre_attn_scalar"]}
    # the forward on the HF weights with HF's own scale reproduces the HF fixture (checks this forward) ...
    w_hf = {k: torch.from_numpy(v.astype(np.float64)) for k, v in tensors.items()}
    a_hf = gemma2_forward(w_hf, hc, ids, hc["query_pre_attn_scalar"] ** -0.5).numpy()
    # (the HF fixture rounds sqrt(32) to bfloat16, 8.4e-5 of change; this forward uses llama.cpp's float sqrt)
    info["forward_with_hf_scale_vs_hf_attention"] = float(np.abs(a_hf - ref).max())
    assert info["forward_with_hf_scale_vs_hf_attention"] < 2e-4
    a_cpp = gemma2_forward(w_hf, hc, ids, scale).numpy()
    info["llama_cpp_scale_vs_hf_attention"] = float(np.abs(a_cpp - ref).max())
    for t in ("F32", "Q8_0"):
        wr = GGUFWriter()
        p = "gemma2."
        wr.add("general.architecture", "gemma2", "string")
        wr.add("general.name", "AttnScope test gemma2", "string")
        wr.add(p + "context_length", hc["max_position_embeddings"], "uint32")
        wr.add(p + "embedding_length", hc["hidden_size"], "uint32")
        wr.add(p + "block_count", L, "uint32")
        wr.add(p + "feed_forward_length", hc["intermediate_size"], "uint32")
        wr.add(p + "attention.head_count", hc["num_attention_heads"], "uint32")
        wr.add(p + "attention.head_count_kv", hc["num_key_value_heads"], "uint32")
        wr.add(p + "attention.layer_norm_rms_epsilon", hc["rms_norm_eps"], "float32")
        wr.add(p + "attention.key_length", hc["head_dim"], "uint32")
        wr.add(p + "attention.value_length", hc["head_dim"], "uint32")
        wr.add("general.file_type", FILE_TYPE[t], "uint32")
        wr.add(p + "attn_logit_softcapping", hc["attn_logit_softcapping"], "float32")
        wr.add(p + "final_logit_softcapping", hc["final_logit_softcapping"], "float32")
        wr.add(p + "attention.sliding_window", hc["sliding_window"], "uint32")
        wr.add("general.quantization_version", 2, "uint32")
        add_small_spm(wr, tokens, scores, types, bos=2, eos=1, unk=3, add_space_prefix=False, pad=0)
        back, size = write_tensors(out("gemma2-%s.gguf" % t), wr, tensors, order, lambda g: t)
        att = gemma2_forward(torch_weights(back), hc, ids, scale).numpy()
        save_npy(out("gemma2-%s.attention.npy" % t), att)
        info[t] = {"bytes": size, "weight_err": model_weight_error(back, tensors),
                   "att_vs_f32": float(np.abs(att - a_cpp).max())}
        if t == "F32":
            assert info[t]["weight_err"] == 0.0 and info[t]["att_vs_f32"] < 1e-12
    REPORT["gemma2"] = info
    return info


# Phi-3 as convert_hf_to_gguf.py's Phi3MiniModel writes it: context_length, rope.scaling.original_context_length,
# embedding_length, feed_forward_length (intermediate_size: ffn_up has twice as many rows, [gate; up]),
# block_count, head_count, head_count_kv, layer_norm_rms_epsilon, rope.dimension_count = int(partial_rotary_factor
# * n_embd) // n_head, rope.freq_base, general.file_type, attention.sliding_window (0 when the config has none).
# Names: self_attn.qkv_proj -> attn_qkv (rows [q; k; v], not permuted: NEOX RoPE), mlp.gate_up_proj -> ffn_up,
# post_attention_layernorm -> ffn_norm, lm_head -> output. No norm shift. rope_scaling null: no rope_factors.
def phi3_tensors(hfw, layers):
    t = {"token_embd.weight": hfw["model.embed_tokens.weight"], "output_norm.weight": hfw["model.norm.weight"],
         "output.weight": hfw["lm_head.weight"]}
    order = ["token_embd.weight"]
    names = [("input_layernorm", "attn_norm"), ("self_attn.qkv_proj", "attn_qkv"), ("self_attn.o_proj", "attn_output"),
             ("post_attention_layernorm", "ffn_norm"), ("mlp.gate_up_proj", "ffn_up"), ("mlp.down_proj", "ffn_down")]
    for l in range(layers):
        for h, g in names:
            name = "blk.%d.%s.weight" % (l, g)
            t[name] = hfw["model.layers.%d.%s.weight" % (l, h)]
            order.append(name)
    assert len(t) == len(hfw)
    t = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in t.items()}
    return t, order + ["output_norm.weight", "output.weight"]


def phi3_to_hf(w):
    m = {"token_embd.weight": "model.embed_tokens.weight", "output_norm.weight": "model.norm.weight",
         "output.weight": "lm_head.weight"}
    for g, a in list(w.items()):
        if g.startswith("blk."):
            _, l, n, _ = g.split(".")
            h = {"attn_norm": "input_layernorm", "attn_qkv": "self_attn.qkv_proj", "attn_output": "self_attn.o_proj",
                 "ffn_norm": "post_attention_layernorm", "ffn_up": "mlp.gate_up_proj", "ffn_down": "mlp.down_proj"}[n]
            m[g] = "model.layers.%s.%s.weight" % (l, h)
    return {m[g]: a for g, a in w.items()}


def make_phi3():
    hc, expected, hfw, ref = read_hf_single("phi3")
    L, ids = hc["num_hidden_layers"], expected["ids"]
    D, H, KV = hc["hidden_size"], hc["num_attention_heads"], hc["num_key_value_heads"]
    assert (D, H, L) == (hf.HIDDEN, hf.HEADS, hf.LAYERS)  # hf.llama_like_forward's shapes
    rope_dims = int(hc["partial_rotary_factor"] * D) // H
    tensors, order = phi3_tensors(hfw, L)
    tokens, scores, types = small_spm_vocab(["<unk>", "<s>", "</s>"], hc["vocab_size"])
    inv = hf.default_inv_freq(hc["rope_theta"], rope_dims)
    fwd = lambda w: hf.llama_like_forward(w, ids, D // H, KV, inv, hc["rms_norm_eps"], fused=True)[0].numpy()  # noqa
    info = {"ids": ids, "rope_dims": rope_dims}
    a0 = fwd({k: torch.from_numpy(v.astype(np.float64)) for k, v in hfw.items()})
    info["forward_vs_hf_attention"] = float(np.abs(a0 - ref).max())
    assert info["forward_vs_hf_attention"] < 1e-6
    for t in ("F32", "Q8_0"):
        wr = GGUFWriter()
        p = "phi3."
        wr.add("general.architecture", "phi3", "string")
        wr.add("general.name", "AttnScope test phi3", "string")
        wr.add(p + "context_length", hc["max_position_embeddings"], "uint32")
        wr.add(p + "rope.scaling.original_context_length", hc["original_max_position_embeddings"], "uint32")
        wr.add(p + "embedding_length", D, "uint32")
        wr.add(p + "feed_forward_length", hc["intermediate_size"], "uint32")
        wr.add(p + "block_count", L, "uint32")
        wr.add(p + "attention.head_count", H, "uint32")
        wr.add(p + "attention.head_count_kv", KV, "uint32")
        wr.add(p + "attention.layer_norm_rms_epsilon", hc["rms_norm_eps"], "float32")
        wr.add(p + "rope.dimension_count", rope_dims, "uint32")
        wr.add(p + "rope.freq_base", hc["rope_theta"], "float32")
        wr.add("general.file_type", FILE_TYPE[t], "uint32")
        wr.add(p + "attention.sliding_window", hc["sliding_window"], "uint32")
        wr.add("general.quantization_version", 2, "uint32")
        add_small_spm(wr, tokens, scores, types, bos=1, eos=2, unk=0)
        back, size = write_tensors(out("phi3-%s.gguf" % t), wr, tensors, order, lambda g: t)
        att = fwd(phi3_to_hf(torch_weights(back)))
        info[t] = {"bytes": size, "weight_err": model_weight_error(back, tensors),
                   "att_vs_full": float(np.abs(att - a0).max())}
        if t == "F32":
            assert info[t]["weight_err"] == 0.0 and info[t]["att_vs_full"] < 1e-12
        else:
            save_npy(out("phi3-%s.attention.npy" % t), att)
    REPORT["phi3"] = info
    return info


# Llama 3.1 as convert_hf_to_gguf.py's LlamaModel writes it: llama.* keys, Q / K permuted, tied embeddings (no
# output tensor), and with rope_scaling rope_type "llama3" one extra F32 tensor rope_freqs.weight [head_dim / 2]:
# factor_i = 1 (wavelen < orig / high_freq_factor), factor (wavelen > orig / low_freq_factor), else
# 1 / ((1 - smooth) / factor + smooth), smooth = (orig / wavelen - low) / (high - low); llama.cpp divides pair i's
# frequency by factor_i. (The converter reads orig = original_max_position_embeddings from the top of config.json
# with a default of 8192, which is the value inside rope_scaling of every released Llama 3.x; this fixture's
# rope_scaling says 256, so its factors are made from 256, the value Hugging Face uses.) No rope.scaling.type key.
def llama3_rope_factors(hc):
    rs = hc["rope_scaling"]
    hd = hc["hidden_size"] // hc["num_attention_heads"]
    freqs = 1.0 / (hc["rope_theta"] ** (np.arange(0, hd, 2, dtype=np.float64) / hd))
    factor, low, high, orig = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"], rs["original_max_position_embeddings"]
    out_ = []
    for f in freqs:
        wavelen = 2 * math.pi / f
        if wavelen < orig / high:
            out_.append(1.0)
        elif wavelen > orig / low:
            out_.append(factor)
        else:
            smooth = (orig / wavelen - low) / (high - low)
            out_.append(1.0 / ((1 - smooth) / factor + smooth))
    return np.array(out_, dtype=np.float32)


def make_llama3():
    hc, expected, hfw, ref = read_hf_single("llama3")
    cfg = {"context": hc["max_position_embeddings"], "hidden": hc["hidden_size"], "layers": hc["num_hidden_layers"],
           "ffn": hc["intermediate_size"], "heads": hc["num_attention_heads"], "kv_heads": hc["num_key_value_heads"],
           "theta": hc["rope_theta"], "eps": hc["rms_norm_eps"], "vocab": hc["vocab_size"]}
    factors = llama3_rope_factors(hc)
    # the factors are HF's: plain inv_freq / HF's scaled inv_freq
    plain = np.array(expected["inv_freq_unscaled"])
    assert np.allclose(plain / np.array(expected["inv_freq"]), factors, rtol=1e-6), (factors, plain)
    m = gguf_name_map(cfg["layers"], False)
    tensors = {"rope_freqs.weight": factors}
    for hn, a in hfw.items():
        g = m[hn]
        if g.endswith("attn_q.weight"):
            a = permute(a, cfg["heads"])
        elif g.endswith("attn_k.weight"):
            a = permute(a, cfg["kv_heads"])
        tensors[g] = np.ascontiguousarray(a, dtype=np.float32)
    order = ["rope_freqs.weight"] + [g for g in gguf_order(cfg["layers"], False) if g != "output.weight"]
    tokens, scores, types = small_spm_vocab(["<unk>", "<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>"],
                                            cfg["vocab"])
    wr = GGUFWriter()
    add_model_metadata(wr, "llama", "AttnScope test llama3", cfg, FILE_TYPE["F32"])
    add_small_spm(wr, tokens, scores, types, bos=1, eos=2, unk=0)
    wr.add("tokenizer.ggml.eot_token_id", 3, "uint32")
    back, size = write_tensors(out("llama3-F32.gguf"), wr, tensors, order, lambda g: "F32")
    assert model_weight_error(back, tensors) == 0.0
    REPORT["llama3"] = {"rope_freqs": factors.tolist(), "bytes": size}


# The Llama 3 tokenizer (tokenizer.ggml.model "gpt2", pre "llama-bpe"): the byte-level BPE of tiktoken's
# Llama 3 vocabulary after the Llama 3 pre-tokenizer regex (as tokenizer.json writes it), with ignore_merges: a
# piece that is a whole token is that token. A small vocabulary: the 256 byte symbols (GPT-2 order), the merges of
# LLAMA3_WORDS (3-digit groups, contractions, CJK, emoji, space runs, newlines), one token reachable by no merge
# ("Ġllama": only ignore_merges finds it), and the specials <|begin_of_text|> (bos), <|end_of_text|> (eos),
# <|eot_id|> (eot) as control tokens.
LLAMA3_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                  r"|\s*[\r\n]+|\s+(?!\S)|\s+")
LLAMA3_WORDS = ["Hello", " world", " the", " cat", " sat", "I", "'LL", "'ll", " don", "'t", "'S", " she", "'s",
                "'VE", "'re", " they", "123", "12", "45", "999", "2024", "12345", "你好", "世界", "🦙", " 🦙",
                "👍", "  ", "    ", "\n\n", " \n", ".\n", "!!!", " go", " ca", "fé", " naïve"]
LLAMA3_CASES = [
    "Hello world, the cat sat.",
    "I'LL go, I'll go; don't, DON'T, she's, SHE'S, WE'VE, they're",
    "1 12 123 1234 12345 2024 999999",
    "3.14159 and 1,234,567",
    "你好世界，你好！",
    "emoji 🦙🎉 and 👍🏽 🦙",
    "many      spaces   here  ",
    "line one\nline two\n\n\n  indented\r\n",
    " llama llamas",
    "café naïve Ωμέγα",
    "<|begin_of_text|>Hello<|eot_id|> world",
]


def make_llama3_tokenizer():
    b2u = hf.bytes_to_unicode()
    vocab = {}
    for b, u in sorted(b2u.items(), key=lambda p: ord(p[1])):
        vocab[u] = len(vocab)
    merges = []
    for word in LLAMA3_WORDS:
        syms = [b2u[b] for b in word.encode("utf-8")]
        while len(syms) > 1:
            merged = syms[0] + syms[1]
            if (syms[0], syms[1]) not in merges:
                merges.append((syms[0], syms[1]))
                if merged not in vocab:
                    vocab[merged] = len(vocab)
            syms = [merged] + syms[2:]
    orphan = "".join(b2u[b] for b in " llama".encode("utf-8"))
    assert orphan not in vocab
    vocab[orphan] = len(vocab)
    for s in ("<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>"):
        vocab[s] = len(vocab)
    return vocab, merges


def llama3_encode(text, vocab, merges, specials):
    """specials matched whole first (llama.cpp's parse_special), the rest: regex pieces -> whole token if in the
    vocabulary (ignore_merges) else BPE."""
    b2u = hf.bytes_to_unicode()
    ranks = {m: i for i, m in enumerate(merges)}
    ids, pieces = [], []
    parts = regex.split("(" + "|".join(regex.escape(s) for s in specials) + ")", text)
    for part in parts:
        if part in specials:
            ids.append(vocab[part])
            pieces.append(part)
            continue
        ps = regex.findall(LLAMA3_PATTERN, part)
        assert "".join(ps) == part
        for piece in ps:
            pieces.append(piece)
            sym = "".join(b2u[b] for b in piece.encode("utf-8"))
            if sym in vocab:
                ids.append(vocab[sym])
            else:
                ids += [vocab[s] for s in hf.bpe([b2u[b] for b in piece.encode("utf-8")], ranks)]
    return pieces, ids


def make_llama3_tokenizer_file():
    vocab, merges = make_llama3_tokenizer()
    tokens = [None] * len(vocab)
    for t, i in vocab.items():
        tokens[i] = t
    specials = ["<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>"]
    bos = vocab["<|begin_of_text|>"]
    cases = []
    for text in LLAMA3_CASES:
        pieces, ids = llama3_encode(text, vocab, merges, specials)
        cases.append({"text": text, "pieces": pieces, "ids": [bos] + ids})
    # the digit rule and ignore_merges both show in the ids
    b2u = hf.bytes_to_unicode()
    enc = lambda s: "".join(b2u[b] for b in s.encode("utf-8"))  # noqa: E731
    digits = cases[2]["pieces"]  # 1234 -> 123 | 4, 12345 -> 123 | 45 (a token "12345" exists but is never reached)
    assert digits[:12] == ["1", " ", "12", " ", "123", " ", "123", "4", " ", "123", "45", " "], digits
    assert vocab[enc("12345")] not in cases[2]["ids"]
    assert vocab[enc(" llama")] in cases[8]["ids"]
    wr = GGUFWriter()
    wr.add("general.architecture", "llama", "string")
    wr.add("general.name", "AttnScope test Llama 3 tokenizer", "string")
    wr.add("tokenizer.ggml.model", "gpt2", "string")
    wr.add("tokenizer.ggml.pre", "llama-bpe", "string")
    wr.add("tokenizer.ggml.tokens", tokens, "array[string]")
    wr.add("tokenizer.ggml.token_type", [3 if t in specials else 1 for t in tokens], "array[int32]")
    wr.add("tokenizer.ggml.merges", ["%s %s" % m for m in merges], "array[string]")
    wr.add("tokenizer.ggml.bos_token_id", bos, "uint32")
    wr.add("tokenizer.ggml.eos_token_id", vocab["<|end_of_text|>"], "uint32")
    wr.add("tokenizer.ggml.eot_token_id", vocab["<|eot_id|>"], "uint32")
    wr.add("tokenizer.ggml.add_bos_token", True, "bool")
    wr.write(out("llama3-tokenizer.gguf"))
    dump_json(out("llama3-tokenizer.json"), {"pattern": LLAMA3_PATTERN, "add_bos": True, "cases": cases})


# ------------------------------------------------------------------------------------------- main

def main():
    torch.set_num_threads(1)
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    with torch.no_grad():
        make_dequant()
        make_metadata()
        make_llama()
        make_kq()
        make_qwen2()
        make_gemma2()
        make_phi3()
        make_llama3()
        make_llama3_tokenizer_file()
    total = 0
    for r, _, fs in sorted(os.walk(OUT)):
        for fn in sorted(fs):
            p = os.path.join(r, fn)
            with open(p, "rb") as fh:
                h = hashlib.sha256(fh.read()).hexdigest()[:16]
            print("%9d  %s  %s" % (os.path.getsize(p), h, os.path.relpath(p, OUT)))
            total += os.path.getsize(p)
    print(json.dumps(REPORT, indent=1, ensure_ascii=False))
    print("wrote %s (%d bytes)" % (os.path.relpath(OUT, os.getcwd()), total))


if __name__ == "__main__":
    main()
