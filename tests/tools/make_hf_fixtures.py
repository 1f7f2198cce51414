#!/usr/bin/python3
"""Writes tests/fixtures/hf/<family>/: tiny random Hugging Face checkpoints (BERT, GPT-2, Llama, ViT)
and the reference attention that tests/core/tst_hf_models.cpp compares the native models against.

Run with Debian's python3 (torch + numpy):  /usr/bin/python3 tests/tools/make_hf_fixtures.py
No `transformers` and no `safetensors` package: each family's forward pass is written here in torch,
following Hugging Face's modeling_bert.py / modeling_gpt2.py / modeling_llama.py / modeling_vit.py
(eager attention, eval mode), and the safetensors files come from the small writer below. Weights are
random from a fixed seed, so a rerun reproduces the same bytes. The reference runs in float64 on the
weights exactly as stored (F16 / BF16 rounded first), so the only difference left to the C++ float32
forward is float32 arithmetic.

Folders (each a model folder as the Hub has it):
  bert/   model.safetensors (F32, tensors under "bert.", as BertForMaskedLM saves them), config.json,
          vocab.txt + tokenizer_config.json (WordPiece, lower case)
  gpt2/   model.safetensors (F16; wte/wpe/h.N..., Conv1D weights [in, out]), config.json,
          vocab.json + merges.txt (byte-level BPE; the 256 byte symbols, a few merges, <|endoftext|>)
  llama/  model-00001-of-00002.safetensors + model-00002-of-00002.safetensors + model.safetensors.index.json
          (BF16, sharded), config.json (GQA: 4 heads, 2 kv heads; rope_theta 500000; untied lm_head),
          tokenizer.json (BPE with byte fallback, "▁" for spaces, <s> = 1)
  vit/    model.safetensors (F32, ViTModel names), config.json (16 x 16 pictures, 4 x 4 patches), pixels.npy
          (float32 [3, 16, 16], random 8-bit RGB normalised with mean = std = 0.5)
Each folder also has
  expected.json     {"ids": [...], "text": ..., "text_ids": [...], "next_token": argmax after ids (causal LMs),
                    "greedy5" (GPT-2) / "greedy8" (Llama): greedy continuation of ids, re-running torch each step}
                    text_ids is how this script's own re-implementation of the folder's tokenizer splits
                    `text` (specials included), for the CLI tests
  attention.npy     float32 [L, H, N, N] for ids (ViT: for pixels.npy), every layer's softmax weights
  queries.npy       float32 [L, H, N, head_dim] post-RoPE queries (Llama only), keys.npy likewise (kv head
                    repeated per query head)
"""
import json
import math
import os
import shutil
import struct

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "hf")

HIDDEN = 32
LAYERS = 2
HEADS = 4
INTER = 64


# ----------------------------------------------------------------------------------- safetensors

def st_bytes(tensors, dtype):
    """tensors: list of (name, float64 torch tensor). dtype: "F32" | "F16" | "BF16"."""
    header = {}
    blobs = []
    offset = 0
    for name, t in sorted(tensors, key=lambda p: p[0]):
        if dtype == "F32":
            raw = t.to(torch.float32).numpy().astype("<f4").tobytes()
        elif dtype == "F16":
            raw = t.to(torch.float16).numpy().astype("<f2").tobytes()
        else:
            raw = t.to(torch.bfloat16).view(torch.int16).numpy().astype("<i2").tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def stored(t, dtype):
    """The value the C++ reader sees: t rounded to dtype, back in float64."""
    if dtype == "F32":
        return t.to(torch.float32).to(torch.float64)
    if dtype == "F16":
        return t.to(torch.float16).to(torch.float64)
    return t.to(torch.bfloat16).to(torch.float64)


class Weights:
    """Random weights made in a fixed order, rounded to the stored dtype."""

    def __init__(self, seed, dtype):
        self.gen = torch.Generator().manual_seed(seed)
        self.dtype = dtype
        self.items = []
        self.w = {}

    def add(self, name, *shape, scale=0.2, const=None):
        if const is not None:
            t = torch.full(shape, float(const), dtype=torch.float64)
            t = t + 0.1 * torch.randn(*shape, generator=self.gen, dtype=torch.float64)
        else:
            t = scale * torch.randn(*shape, generator=self.gen, dtype=torch.float64)
        t = stored(t, self.dtype)
        self.items.append((name, t))
        self.w[name] = t
        return t

    def __getitem__(self, name):
        return self.w[name]


def write_folder(name, config, weights, expected, attention, shards=1, extra=None):
    d = os.path.join(OUT, name)
    os.makedirs(d)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    if shards == 1:
        with open(os.path.join(d, "model.safetensors"), "wb") as f:
            f.write(st_bytes(weights.items, weights.dtype))
    else:
        names = sorted(n for n, _ in weights.items)
        per = (len(names) + shards - 1) // shards
        weight_map = {}
        total = 0
        for s in range(shards):
            fname = "model-%05d-of-%05d.safetensors" % (s + 1, shards)
            part = [(n, weights[n]) for n in names[s * per:(s + 1) * per]]
            for n, t in part:
                weight_map[n] = fname
                total += t.numel() * 2
            with open(os.path.join(d, fname), "wb") as f:
                f.write(st_bytes(part, weights.dtype))
        with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
            json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)
            f.write("\n")
    np.save(os.path.join(d, "attention.npy"), np.ascontiguousarray(attention.numpy(), dtype="<f4"))
    for fname, array in (extra or {}).items():
        np.save(os.path.join(d, fname), np.ascontiguousarray(array.numpy(), dtype="<f4"))
    with open(os.path.join(d, "expected.json"), "w") as f:
        json.dump(expected, f, ensure_ascii=False)
        f.write("\n")
    return d


# -------------------------------------------------------------------------------- shared pieces

def layer_norm(x, w, b, eps):
    return torch.nn.functional.layer_norm(x, (x.shape[-1],), w, b, eps)


def gelu_erf(x):
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


def gelu_new(x):  # HF NewGELUActivation
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def linear(x, w, b=None):  # nn.Linear: weight [out, in]
    y = x @ w.T
    return y if b is None else y + b


def attention(q, k, v, heads, causal):
    """q, k, v: [N, heads, hd] (kv already repeated). Returns (context [N, heads*hd], probs [heads, N, N])."""
    n, _, hd = q.shape
    scores = torch.einsum("qhd,khd->hqk", q, k) / math.sqrt(hd)
    if causal:
        scores = scores + torch.triu(torch.full((n, n), float("-inf"), dtype=scores.dtype), diagonal=1)
    p = torch.softmax(scores, dim=-1)
    return torch.einsum("hqk,khd->qhd", p, v).reshape(n, heads * hd), p


# ------------------------------------------------------------------------------------- tokenizers

def bytes_to_unicode():  # GPT-2's table
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs)))


def bpe(symbols, ranks):
    symbols = list(symbols)
    while len(symbols) > 1:
        pairs = [(ranks.get((symbols[i], symbols[i + 1]), 1 << 30), i) for i in range(len(symbols) - 1)]
        rank, i = min(pairs)
        if rank == 1 << 30:
            break
        symbols[i:i + 2] = [symbols[i] + symbols[i + 1]]
    return symbols


WORDS = ["the", "cat", "sat", "on", "mat", "a", "dog", "ran", "hello", "world", "once", "upon", "time",
         "there", "was", "little", "girl", "play", "park", "sun"]


def make_bert_vocab():
    vocab = ["[PAD]", "[unused0]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    vocab += list(".,!?'-")
    vocab += [chr(c) for c in range(ord("a"), ord("z") + 1)]
    vocab += ["##" + chr(c) for c in range(ord("a"), ord("z") + 1)]
    vocab += WORDS + ["##s", "##ing", "##ed"]
    return vocab


def wordpiece(text, vocab):
    index = {t: i for i, t in enumerate(vocab)}
    ids = [index["[CLS]"]]
    words = []
    for w in text.lower().split():
        cur = ""
        for ch in w:
            if ch in ".,!?'-":
                if cur:
                    words.append(cur)
                words.append(ch)
                cur = ""
            else:
                cur += ch
        if cur:
            words.append(cur)
    for w in words:
        start, pieces = 0, []
        while start < len(w):
            end = len(w)
            while end > start:
                piece = w[start:end] if start == 0 else "##" + w[start:end]
                if piece in index:
                    break
                end -= 1
            if end == start:
                pieces = [index["[UNK]"]]
                break
            pieces.append(index[piece])
            start = end
        ids += pieces
    return ids + [index["[SEP]"]]


def make_gpt2_tokenizer():
    b2u = bytes_to_unicode()
    vocab = {b2u[b]: i for i, b in enumerate(range(256))}
    # base symbols in GPT-2's order: the table's order by byte value of the printable ranges first
    vocab = {}
    for b, u in sorted(b2u.items(), key=lambda p: ord(p[1])):
        vocab[u] = len(vocab)
    merges = []
    for word in ["Ġthe", "Ġcat", "Ġsat", "Ġon", "Ġmat", "hello", "Ġworld", "The", "Ġdog"]:
        syms = list(word)
        while len(syms) > 1:
            merged = syms[0] + syms[1]
            if (syms[0], syms[1]) not in merges:
                merges.append((syms[0], syms[1]))
                if merged not in vocab:
                    vocab[merged] = len(vocab)
            syms = [merged] + syms[2:]
    vocab["<|endoftext|>"] = len(vocab)
    return vocab, merges


def gpt2_encode(text, vocab, merges):
    import re
    b2u = bytes_to_unicode()
    ranks = {m: i for i, m in enumerate(merges)}
    # GPT-2's pattern for ASCII text: 's|'t|... | ?letters| ?digits| ?other|spaces
    pat = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+""")
    ids = [vocab["<|endoftext|>"]]  # BOS first (GPT-2's bos_token is <|endoftext|>)
    for piece in pat.findall(text):
        syms = [b2u[b] for b in piece.encode("utf-8")]
        ids += [vocab[s] for s in bpe(syms, ranks)]
    return ids


def make_llama_tokenizer():
    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2}
    for b in range(256):
        vocab["<0x%02X>" % b] = len(vocab)
    for ch in "▁abcdefghijklmnopqrstuvwxyzTO.,":
        vocab[ch] = len(vocab)
    merges = []
    for word in ["▁the", "▁cat", "▁sat", "▁on", "▁mat", "▁Once", "▁upon", "▁a", "▁time"]:
        syms = list(word)
        while len(syms) > 1:
            merged = syms[0] + syms[1]
            if (syms[0], syms[1]) not in merges:
                merges.append((syms[0], syms[1]))
                if merged not in vocab:
                    vocab[merged] = len(vocab)
            syms = [merged] + syms[2:]
    return vocab, merges


def llama_tokenizer_json(vocab, merges):
    added = [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for t, i in (("<unk>", 0), ("<s>", 1), ("</s>", 2))]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Prepend", "prepend": "▁"},
            {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
        "pre_tokenizer": None,
        "post_processor": {"type": "TemplateProcessing",
                           "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}},
                                      {"Sequence": {"id": "A", "type_id": 0}}],
                           "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}},
                                    {"Sequence": {"id": "A", "type_id": 0}},
                                    {"SpecialToken": {"id": "<s>", "type_id": 1}},
                                    {"Sequence": {"id": "B", "type_id": 1}}],
                           "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}},
        "decoder": {"type": "Sequence", "decoders": [
            {"type": "Replace", "pattern": {"String": "▁"}, "content": " "},
            {"type": "ByteFallback"}, {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
        "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": True,
                  "vocab": vocab, "merges": ["%s %s" % m for m in merges]},
    }


def llama_encode(text, vocab, merges):
    ranks = {m: i for i, m in enumerate(merges)}
    s = "▁" + text.replace(" ", "▁")
    ids = [1]
    for sym in bpe(list(s), ranks):
        if sym in vocab:
            ids.append(vocab[sym])
        else:
            ids += [vocab["<0x%02X>" % b] for b in sym.encode("utf-8")]
    return ids


# ---------------------------------------------------------------------------------------- BERT

def make_bert():
    vocab = make_bert_vocab()
    V, P, T = len(vocab), 64, 2
    cfg = {"architectures": ["BertForMaskedLM"], "model_type": "bert", "vocab_size": V, "hidden_size": HIDDEN,
           "num_hidden_layers": LAYERS, "num_attention_heads": HEADS, "intermediate_size": INTER,
           "hidden_act": "gelu", "max_position_embeddings": P, "type_vocab_size": T, "layer_norm_eps": 1e-12,
           "pad_token_id": 0, "position_embedding_type": "absolute", "torch_dtype": "float32"}
    w = Weights(1001, "F32")
    p = "bert."
    w.add(p + "embeddings.word_embeddings.weight", V, HIDDEN, scale=0.5)
    w.add(p + "embeddings.position_embeddings.weight", P, HIDDEN, scale=0.5)
    w.add(p + "embeddings.token_type_embeddings.weight", T, HIDDEN, scale=0.5)
    w.add(p + "embeddings.LayerNorm.weight", HIDDEN, const=1.0)
    w.add(p + "embeddings.LayerNorm.bias", HIDDEN, scale=0.1)
    for l in range(LAYERS):
        e = p + "encoder.layer.%d." % l
        for m in ("query", "key", "value"):
            w.add(e + "attention.self.%s.weight" % m, HIDDEN, HIDDEN, scale=0.35)
            w.add(e + "attention.self.%s.bias" % m, HIDDEN, scale=0.1)
        w.add(e + "attention.output.dense.weight", HIDDEN, HIDDEN)
        w.add(e + "attention.output.dense.bias", HIDDEN, scale=0.1)
        w.add(e + "attention.output.LayerNorm.weight", HIDDEN, const=1.0)
        w.add(e + "attention.output.LayerNorm.bias", HIDDEN, scale=0.1)
        w.add(e + "intermediate.dense.weight", INTER, HIDDEN)
        w.add(e + "intermediate.dense.bias", INTER, scale=0.1)
        w.add(e + "output.dense.weight", HIDDEN, INTER)
        w.add(e + "output.dense.bias", HIDDEN, scale=0.1)
        w.add(e + "output.LayerNorm.weight", HIDDEN, const=1.0)
        w.add(e + "output.LayerNorm.bias", HIDDEN, scale=0.1)
    w.add(p + "pooler.dense.weight", HIDDEN, HIDDEN)  # present in real checkpoints, unused here
    w.add(p + "pooler.dense.bias", HIDDEN)

    text = "The cat sat on the mat."
    ids = wordpiece(text, vocab)
    n = len(ids)
    hd = HIDDEN // HEADS
    x = w[p + "embeddings.word_embeddings.weight"][torch.tensor(ids)] \
        + w[p + "embeddings.position_embeddings.weight"][:n] + w[p + "embeddings.token_type_embeddings.weight"][0]
    x = layer_norm(x, w[p + "embeddings.LayerNorm.weight"], w[p + "embeddings.LayerNorm.bias"], 1e-12)
    maps = []
    for l in range(LAYERS):
        e = p + "encoder.layer.%d." % l
        q, k, v = (linear(x, w[e + "attention.self.%s.weight" % m], w[e + "attention.self.%s.bias" % m])
                   .view(n, HEADS, hd) for m in ("query", "key", "value"))
        ctx, probs = attention(q, k, v, HEADS, causal=False)
        maps.append(probs)
        a = linear(ctx, w[e + "attention.output.dense.weight"], w[e + "attention.output.dense.bias"])
        x = layer_norm(a + x, w[e + "attention.output.LayerNorm.weight"], w[e + "attention.output.LayerNorm.bias"],
                       1e-12)
        h = gelu_erf(linear(x, w[e + "intermediate.dense.weight"], w[e + "intermediate.dense.bias"]))
        h = linear(h, w[e + "output.dense.weight"], w[e + "output.dense.bias"])
        x = layer_norm(h + x, w[e + "output.LayerNorm.weight"], w[e + "output.LayerNorm.bias"], 1e-12)
    d = write_folder("bert", cfg, w, {"ids": ids, "text": text, "text_ids": ids}, torch.stack(maps))
    with open(os.path.join(d, "vocab.txt"), "w") as f:
        f.write("\n".join(vocab) + "\n")
    with open(os.path.join(d, "tokenizer_config.json"), "w") as f:
        json.dump({"do_lower_case": True, "tokenizer_class": "BertTokenizer", "model_max_length": P}, f)
        f.write("\n")
    return ids


# ---------------------------------------------------------------------------------------- GPT-2

def make_gpt2():
    vocab, merges = make_gpt2_tokenizer()
    V, P = len(vocab), 64
    eot = vocab["<|endoftext|>"]
    cfg = {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": V, "n_embd": HIDDEN,
           "n_layer": LAYERS, "n_head": HEADS, "n_inner": None, "n_positions": P, "n_ctx": P,
           "activation_function": "gelu_new", "layer_norm_epsilon": 1e-5, "bos_token_id": eot,
           "eos_token_id": eot, "scale_attn_weights": True, "tie_word_embeddings": True, "torch_dtype": "float16"}
    w = Weights(2002, "F16")
    I = 4 * HIDDEN
    w.add("wte.weight", V, HIDDEN, scale=0.5)
    w.add("wpe.weight", P, HIDDEN, scale=0.3)
    for l in range(LAYERS):
        e = "h.%d." % l
        w.add(e + "ln_1.weight", HIDDEN, const=1.0)
        w.add(e + "ln_1.bias", HIDDEN, scale=0.1)
        w.add(e + "attn.c_attn.weight", HIDDEN, 3 * HIDDEN, scale=0.35)  # Conv1D: [in, out]
        w.add(e + "attn.c_attn.bias", 3 * HIDDEN, scale=0.1)
        w.add(e + "attn.c_proj.weight", HIDDEN, HIDDEN)
        w.add(e + "attn.c_proj.bias", HIDDEN, scale=0.1)
        w.add(e + "ln_2.weight", HIDDEN, const=1.0)
        w.add(e + "ln_2.bias", HIDDEN, scale=0.1)
        w.add(e + "mlp.c_fc.weight", HIDDEN, I)
        w.add(e + "mlp.c_fc.bias", I, scale=0.1)
        w.add(e + "mlp.c_proj.weight", I, HIDDEN)
        w.add(e + "mlp.c_proj.bias", HIDDEN, scale=0.1)
    w.add("ln_f.weight", HIDDEN, const=1.0)
    w.add("ln_f.bias", HIDDEN, scale=0.1)

    def forward(ids):
        n = len(ids)
        hd = HIDDEN // HEADS
        x = w["wte.weight"][torch.tensor(ids)] + w["wpe.weight"][:n]
        maps = []
        for l in range(LAYERS):
            e = "h.%d." % l
            h = layer_norm(x, w[e + "ln_1.weight"], w[e + "ln_1.bias"], 1e-5)
            qkv = h @ w[e + "attn.c_attn.weight"] + w[e + "attn.c_attn.bias"]
            q, k, v = (t.reshape(n, HEADS, hd) for t in qkv.split(HIDDEN, dim=1))
            ctx, probs = attention(q, k, v, HEADS, causal=True)
            maps.append(probs)
            x = x + ctx @ w[e + "attn.c_proj.weight"] + w[e + "attn.c_proj.bias"]
            h = layer_norm(x, w[e + "ln_2.weight"], w[e + "ln_2.bias"], 1e-5)
            h = gelu_new(h @ w[e + "mlp.c_fc.weight"] + w[e + "mlp.c_fc.bias"])
            x = x + h @ w[e + "mlp.c_proj.weight"] + w[e + "mlp.c_proj.bias"]
        x = layer_norm(x, w["ln_f.weight"], w["ln_f.bias"], 1e-5)
        return torch.stack(maps), x @ w["wte.weight"].T

    text = "hello world, the cat sat"
    ids = gpt2_encode(text, vocab, merges)
    att, logits = forward(ids)
    greedy, cur = [], list(ids)
    for _ in range(5):
        nxt = int(torch.argmax(forward(cur)[1][-1]))
        greedy.append(nxt)
        cur.append(nxt)
    d = write_folder("gpt2", cfg, w, {"ids": ids, "text": text, "text_ids": ids,
                                      "next_token": int(torch.argmax(logits[-1])), "greedy5": greedy}, att)
    with open(os.path.join(d, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    with open(os.path.join(d, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "".join("%s %s\n" % m for m in merges))
    return ids


# ---------------------------------------------------------------------------------------- Llama

def make_llama():
    vocab, merges = make_llama_tokenizer()
    V, P, KV, THETA = len(vocab), 64, 2, 500000.0
    hd = HIDDEN // HEADS
    cfg = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": V, "hidden_size": HIDDEN,
           "intermediate_size": INTER, "num_hidden_layers": LAYERS, "num_attention_heads": HEADS,
           "num_key_value_heads": KV, "hidden_act": "silu", "max_position_embeddings": P, "rms_norm_eps": 1e-6,
           "rope_theta": THETA, "tie_word_embeddings": False, "bos_token_id": 1, "eos_token_id": 2,
           "attention_bias": False, "torch_dtype": "bfloat16"}
    w = Weights(3003, "BF16")
    w.add("model.embed_tokens.weight", V, HIDDEN, scale=0.5)
    for l in range(LAYERS):
        e = "model.layers.%d." % l
        w.add(e + "input_layernorm.weight", HIDDEN, const=1.0)
        w.add(e + "self_attn.q_proj.weight", HEADS * hd, HIDDEN, scale=0.35)
        w.add(e + "self_attn.k_proj.weight", KV * hd, HIDDEN, scale=0.35)
        w.add(e + "self_attn.v_proj.weight", KV * hd, HIDDEN)
        w.add(e + "self_attn.o_proj.weight", HIDDEN, HEADS * hd)
        w.add(e + "post_attention_layernorm.weight", HIDDEN, const=1.0)
        w.add(e + "mlp.gate_proj.weight", INTER, HIDDEN)
        w.add(e + "mlp.up_proj.weight", INTER, HIDDEN)
        w.add(e + "mlp.down_proj.weight", HIDDEN, INTER)
    w.add("model.norm.weight", HIDDEN, const=1.0)
    w.add("lm_head.weight", V, HIDDEN, scale=0.5)

    def rms(x, weight):  # LlamaRMSNorm
        return weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6))

    def rotate_half(x):
        x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
        return torch.cat((-x2, x1), dim=-1)

    def forward(ids):
        n = len(ids)
        inv_freq = 1.0 / (THETA ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd))
        freqs = torch.outer(torch.arange(n, dtype=torch.float64), inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos()[:, None, :], emb.sin()[:, None, :]
        x = w["model.embed_tokens.weight"][torch.tensor(ids)]
        maps, qs, ks = [], [], []
        for l in range(LAYERS):
            e = "model.layers.%d." % l
            h = rms(x, w[e + "input_layernorm.weight"])
            q = linear(h, w[e + "self_attn.q_proj.weight"]).view(n, HEADS, hd)
            k = linear(h, w[e + "self_attn.k_proj.weight"]).view(n, KV, hd)
            v = linear(h, w[e + "self_attn.v_proj.weight"]).view(n, KV, hd)
            q = q * cos + rotate_half(q) * sin
            k = k * cos + rotate_half(k) * sin
            k = k.repeat_interleave(HEADS // KV, dim=1)  # repeat_kv
            v = v.repeat_interleave(HEADS // KV, dim=1)
            ctx, probs = attention(q, k, v, HEADS, causal=True)
            maps.append(probs)
            qs.append(q.permute(1, 0, 2))
            ks.append(k.permute(1, 0, 2))
            x = x + linear(ctx, w[e + "self_attn.o_proj.weight"])
            h = rms(x, w[e + "post_attention_layernorm.weight"])
            g = linear(h, w[e + "mlp.gate_proj.weight"])
            x = x + linear(torch.nn.functional.silu(g) * linear(h, w[e + "mlp.up_proj.weight"]),
                           w[e + "mlp.down_proj.weight"])
        x = rms(x, w["model.norm.weight"])
        return torch.stack(maps), torch.stack(qs), torch.stack(ks), linear(x, w["lm_head.weight"])

    text = "Once upon a time the cat sat on the mat"
    ids = llama_encode(text, vocab, merges)
    att, qs, ks, logits = forward(ids)
    greedy, cur = [], list(ids)
    for _ in range(8):  # re-running the whole sequence each step: the C++ side uses a KV cache
        nxt = int(torch.argmax(forward(cur)[3][-1]))
        if nxt == 2:  # eos_token_id
            break
        greedy.append(nxt)
        cur.append(nxt)
    write_folder("llama", cfg, w, {"ids": ids, "text": text, "text_ids": ids,
                                   "next_token": int(torch.argmax(logits[-1])), "greedy8": greedy}, att, shards=2,
                 extra={"queries.npy": qs, "keys.npy": ks})
    with open(os.path.join(OUT, "llama", "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(llama_tokenizer_json(vocab, merges), f, ensure_ascii=False)
    with open(os.path.join(OUT, "llama", "tokenizer_config.json"), "w") as f:
        json.dump({"add_bos_token": True, "add_eos_token": False, "bos_token": "<s>", "eos_token": "</s>",
                   "unk_token": "<unk>", "tokenizer_class": "LlamaTokenizer"}, f)
        f.write("\n")
    return ids


# ------------------------------------------------------------------------------------------ ViT

def make_vit():
    IMG, PATCH, C = 16, 4, 3
    NP = (IMG // PATCH) ** 2
    cfg = {"architectures": ["ViTModel"], "model_type": "vit", "hidden_size": HIDDEN, "num_hidden_layers": LAYERS,
           "num_attention_heads": HEADS, "intermediate_size": INTER, "hidden_act": "gelu", "image_size": IMG,
           "patch_size": PATCH, "num_channels": C, "layer_norm_eps": 1e-12, "qkv_bias": True,
           "torch_dtype": "float32"}
    w = Weights(4004, "F32")
    w.add("embeddings.cls_token", 1, 1, HIDDEN, scale=0.5)
    w.add("embeddings.position_embeddings", 1, NP + 1, HIDDEN, scale=0.3)
    w.add("embeddings.patch_embeddings.projection.weight", HIDDEN, C, PATCH, PATCH, scale=0.1)
    w.add("embeddings.patch_embeddings.projection.bias", HIDDEN, scale=0.1)
    for l in range(LAYERS):
        e = "encoder.layer.%d." % l
        w.add(e + "layernorm_before.weight", HIDDEN, const=1.0)
        w.add(e + "layernorm_before.bias", HIDDEN, scale=0.1)
        for m in ("query", "key", "value"):
            w.add(e + "attention.attention.%s.weight" % m, HIDDEN, HIDDEN, scale=0.35)
            w.add(e + "attention.attention.%s.bias" % m, HIDDEN, scale=0.1)
        w.add(e + "attention.output.dense.weight", HIDDEN, HIDDEN)
        w.add(e + "attention.output.dense.bias", HIDDEN, scale=0.1)
        w.add(e + "layernorm_after.weight", HIDDEN, const=1.0)
        w.add(e + "layernorm_after.bias", HIDDEN, scale=0.1)
        w.add(e + "intermediate.dense.weight", INTER, HIDDEN)
        w.add(e + "intermediate.dense.bias", INTER, scale=0.1)
        w.add(e + "output.dense.weight", HIDDEN, INTER)
        w.add(e + "output.dense.bias", HIDDEN, scale=0.1)
    w.add("layernorm.weight", HIDDEN, const=1.0)
    w.add("layernorm.bias", HIDDEN, scale=0.1)

    gen = torch.Generator().manual_seed(4005)
    # 8-bit RGB values normalised as ViTImageProcessor does ((v / 255 - 0.5) / 0.5), so that the same picture
    # given to ModelRunner::runImage as bytes is this exact input
    rgb = torch.randint(0, 256, (C, IMG, IMG), generator=gen).to(torch.float64)
    pixels = ((rgb / 255.0 - 0.5) / 0.5).to(torch.float32).to(torch.float64)
    hd = HIDDEN // HEADS
    patches = torch.nn.functional.conv2d(pixels[None], w["embeddings.patch_embeddings.projection.weight"],
                                         w["embeddings.patch_embeddings.projection.bias"], stride=PATCH)
    patches = patches.flatten(2).transpose(1, 2)[0]  # [NP, D], row-major over the grid
    x = torch.cat([w["embeddings.cls_token"][0], patches], dim=0) + w["embeddings.position_embeddings"][0]
    n = x.shape[0]
    maps = []
    for l in range(LAYERS):
        e = "encoder.layer.%d." % l
        h = layer_norm(x, w[e + "layernorm_before.weight"], w[e + "layernorm_before.bias"], 1e-12)
        q, k, v = (linear(h, w[e + "attention.attention.%s.weight" % m], w[e + "attention.attention.%s.bias" % m])
                   .view(n, HEADS, hd) for m in ("query", "key", "value"))
        ctx, probs = attention(q, k, v, HEADS, causal=False)
        maps.append(probs)
        x = x + linear(ctx, w[e + "attention.output.dense.weight"], w[e + "attention.output.dense.bias"])
        h = layer_norm(x, w[e + "layernorm_after.weight"], w[e + "layernorm_after.bias"], 1e-12)
        h = gelu_erf(linear(h, w[e + "intermediate.dense.weight"], w[e + "intermediate.dense.bias"]))
        x = x + linear(h, w[e + "output.dense.weight"], w[e + "output.dense.bias"])
    write_folder("vit", cfg, w, {"tokens": n}, torch.stack(maps), extra={"pixels.npy": pixels})


def main():
    torch.set_num_threads(1)
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    with torch.no_grad():
        print("bert ", make_bert())
        print("gpt2 ", make_gpt2())
        print("llama", make_llama())
        make_vit()
    total = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(OUT) for f in fs)
    print("wrote %s (%d bytes)" % (os.path.normpath(OUT), total))
    assert total < 400 * 1024


if __name__ == "__main__":
    main()
