#!/usr/bin/python3
"""Writes tests/fixtures/hf/<family>/: tiny random Hugging Face checkpoints (BERT, GPT-2, Llama, ViT, and
Qwen2, Mistral, Llama 3 (llama3 RoPE scaling), Gemma 2, Phi-3, RoBERTa, DistilBERT, DeiT) and the reference
attention that tests/core/tst_hf_models.cpp compares the native models against.

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
  qwen2/  model.safetensors (BF16), Qwen2ForCausalLM: q/k/v biases, GQA 4/2, rope_theta 1e6, untied;
          sliding_window 4 in the config but use_sliding_window false (so no window)
  mistral/  model.safetensors (BF16), Llama layout with sliding_window 4 on every layer, GQA 4/2
  llama3/ model.safetensors (BF16), model_type llama with rope_scaling llama3 (factor 8, low 1, high 4,
          original_max_position_embeddings 256: the 4 frequency pairs fall in the high, medium, low, low bands),
          rope_theta 500000, tied embeddings (no lm_head tensor), eos_token_id [2, 3]
  gemma2/ model.safetensors (BF16), Gemma2ForCausalLM: embed * bf16(sqrt(32)), (1 + w) RMSNorms before and after
          attention and MLP, GeGLU (gelu_pytorch_tanh), head_dim 16 (q 64 wide), query_pre_attn_scalar 24,
          attn_logit_softcapping 5 (not 50: see its notes), final_logit_softcapping 30, window 4 on layer 0 only
  phi3/   model.safetensors (BF16), fused qkv_proj [q; k; v] and gate_up_proj [gate; up], partial_rotary_factor 0.5
  roberta/  model.safetensors (F32, "roberta." names + lm_head.*), positions start at padding_idx + 1 = 2
  distilbert/  model.safetensors (F32, DistilBertModel names), dim / n_layers / n_heads / hidden_dim config keys
  deit/   model.safetensors (F32, DeiTModel names), cls + distillation token, pixels.npy as vit/
  (these eight have no tokenizer files: "ids" is their input)
Each folder also has
  expected.json     {"ids": [...], "text": ..., "text_ids": [...], "next_token": argmax after ids (causal LMs),
                    "greedy5" (GPT-2) / "greedy8" (Llama): greedy continuation of ids, re-running torch each step}
                    text_ids is how this script's own re-implementation of the folder's tokenizer splits
                    `text` (specials included), for the CLI tests
                    The second batch has "ids", "next_token" and "greedy5" (causal LMs), "notes" (which HF
                    code and convention the forward follows), "ablations" (the largest attention change when the
                    family's feature is left out) and family keys: "window_rule" / "sliding_window" (mistral,
                    gemma2), "inv_freq" / "bands" (llama3, phi3), "last_logits" / "embed_scale" /
                    "layer_types" (gemma2), "position_ids" (roberta), "tokens" (deit)
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


# ====================================================================== more families (2nd batch)
#
# qwen2, mistral, llama3, gemma2, phi3 (causal LMs), roberta, distilbert (encoders), deit (vision). Each forward
# follows the Hugging Face modeling file named in its expected.json "notes" (eager attention, eval mode), read
# in transformers' main branch (masking_utils.py, modeling_rope_utils.py and the models' modular/modeling files).
# Each expected.json also has "ablations": the largest |attention change| over every layer, head and pair when
# the family's distinct feature is left out, so that the fixture is known to test that feature (the C++ tests
# compare with a tolerance of 1e-4).
#
# Sliding windows (masking_utils.sliding_window_overlay: kv_idx > q_idx - sliding_window, and-ed with the causal
# kv_idx <= q_idx): the query at i sees the keys j with 0 <= i - j < sliding_window, the window counting the
# query's own position; a key with i - j >= sliding_window gets weight exactly 0. Gemma 2's older eager code
# says the same: torch.tril(ones, diagonal=-sliding_window) marks j <= i - sliding_window as masked.

WINDOW_RULE = "query i attends key j iff 0 <= i - j < sliding_window (keys with i - j >= sliding_window masked)"


def rms_norm(x, weight, eps):  # LlamaRMSNorm (Qwen2, Mistral, Phi3 are the same)
    return weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def gemma_rms_norm(x, weight, eps):  # Gemma2RMSNorm: normalise, then scale by (1 + w)
    return (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)) * (1.0 + weight)


def gelu_tanh(x):  # gelu_pytorch_tanh
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def default_inv_freq(theta, dim):  # _compute_default_rope_parameters; dim = int(head_dim * partial_rotary_factor)
    return 1.0 / (theta ** (torch.arange(0, dim, 2, dtype=torch.float64) / dim))


def llama3_inv_freq(theta, dim, factor, low_freq_factor, high_freq_factor, old_context_len):
    """modeling_rope_utils._compute_llama3_parameters, line by line. Also returns each pair's band."""
    inv_freq = default_inv_freq(theta, dim)
    low_freq_wavelen = old_context_len / low_freq_factor
    high_freq_wavelen = old_context_len / high_freq_factor
    wavelen = 2 * math.pi / inv_freq
    # wavelen < high_freq_wavelen: do nothing; wavelen > low_freq_wavelen: divide by factor
    inv_freq_llama = torch.where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq)
    # otherwise: interpolate between the two, using a smooth factor
    smooth_factor = (old_context_len / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
    smoothed_inv_freq = (1 - smooth_factor) * inv_freq_llama / factor + smooth_factor * inv_freq_llama
    is_medium_freq = ~(wavelen < high_freq_wavelen) * ~(wavelen > low_freq_wavelen)
    inv_freq_llama = torch.where(is_medium_freq, smoothed_inv_freq, inv_freq_llama)
    bands = ["high (kept)" if w < high_freq_wavelen else "low (/factor)" if w > low_freq_wavelen else
             "medium (smoothed, s=%.4f)" % s for w, s in zip(wavelen.tolist(), smooth_factor.tolist())]
    return inv_freq_llama, bands, wavelen


def rope(x, inv_freq):
    """x: [N, heads, hd]. Rotates the first 2 * len(inv_freq) dims (rotate_half within them), passes the rest
    (Phi3's apply_rotary_pos_emb; with the whole head it is Llama's)."""
    n = x.shape[0]
    freqs = torch.outer(torch.arange(n, dtype=torch.float64), inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos()[:, None, :], emb.sin()[:, None, :]
    rot = emb.shape[-1]
    xr, xp = x[..., :rot], x[..., rot:]
    x1, x2 = xr[..., : rot // 2], xr[..., rot // 2:]
    return torch.cat((xr * cos + torch.cat((-x2, x1), dim=-1) * sin, xp), dim=-1)


def attend(q, k, v, scale, causal=True, window=None, softcap=None):
    """eager_attention_forward: q, k, v [N, heads, hd] (kv repeated); scores * scale, then the soft cap
    (tanh(s / cap) * cap, Gemma 2), then the mask (causal, sliding window), then softmax."""
    n = q.shape[0]
    scores = torch.einsum("qhd,khd->hqk", q, k) * scale
    if softcap is not None:
        scores = torch.tanh(scores / softcap) * softcap
    i = torch.arange(n)[:, None]
    j = torch.arange(n)[None, :]
    masked = torch.zeros(n, n, dtype=torch.bool)
    if causal:
        masked |= j > i
    if window is not None:
        masked |= (i - j) >= window
    scores = scores.masked_fill(masked, float("-inf"))
    p = torch.softmax(scores, dim=-1)
    return torch.einsum("hqk,khd->qhd", p, v).reshape(n, -1), p


def repeat_kv(t, heads):
    return t.repeat_interleave(heads // t.shape[1], dim=1)


def max_change(a, b):
    return float((a - b).abs().max())


def rounded(ablations):
    return {k: round(v, 6) for k, v in ablations.items()}


def lm_extras(forward, ids, eos, steps=5):
    """next_token, the margin of its logit over the runner-up, and a greedy continuation (the whole sequence
    re-run each step; stops at eos)."""
    logits = forward(ids)[1][-1]
    top = torch.topk(logits, 2).values
    greedy, cur, margins = [], list(ids), [float(top[0] - top[1])]
    for _ in range(steps):
        lg = forward(cur)[1][-1]
        t2 = torch.topk(lg, 2).values
        margins.append(float(t2[0] - t2[1]))
        nxt = int(torch.argmax(lg))
        if nxt in eos:
            break
        greedy.append(nxt)
        cur.append(nxt)
    return int(torch.argmax(logits)), greedy, min(margins)


def fixed_ids(seed, n, lo, hi, first=None, last=None, avoid=()):
    gen = torch.Generator().manual_seed(seed)
    ids = []
    while len(ids) < n:
        t = int(torch.randint(lo, hi, (1,), generator=gen))
        if t not in avoid:
            ids.append(t)
    if first is not None:
        ids = [first] + ids[1:]
    if last is not None:
        ids = ids[:-1] + [last]
    return ids


# ------------------------------------------------------------- Llama-like decoders: qwen2, mistral, llama3, phi3

def llama_like_weights(w, V, hd, KV, inter, qkv_bias=False, fused=False, tied=False, qk_scale=0.35, embed_scale=0.5):
    w.add("model.embed_tokens.weight", V, HIDDEN, scale=embed_scale)
    for l in range(LAYERS):
        e = "model.layers.%d." % l
        w.add(e + "input_layernorm.weight", HIDDEN, const=1.0)
        if fused:  # Phi3: qkv_proj rows are [q; k; v]
            qkv = torch.cat([qk_scale * torch.randn(HEADS * hd, HIDDEN, generator=w.gen, dtype=torch.float64),
                             qk_scale * torch.randn(KV * hd, HIDDEN, generator=w.gen, dtype=torch.float64),
                             0.2 * torch.randn(KV * hd, HIDDEN, generator=w.gen, dtype=torch.float64)])
            t = stored(qkv, w.dtype)
            w.items.append((e + "self_attn.qkv_proj.weight", t))
            w.w[e + "self_attn.qkv_proj.weight"] = t
        else:
            w.add(e + "self_attn.q_proj.weight", HEADS * hd, HIDDEN, scale=qk_scale)
            w.add(e + "self_attn.k_proj.weight", KV * hd, HIDDEN, scale=qk_scale)
            w.add(e + "self_attn.v_proj.weight", KV * hd, HIDDEN)
            if qkv_bias:
                w.add(e + "self_attn.q_proj.bias", HEADS * hd, scale=0.5)
                w.add(e + "self_attn.k_proj.bias", KV * hd, scale=0.5)
                w.add(e + "self_attn.v_proj.bias", KV * hd, scale=0.1)
        w.add(e + "self_attn.o_proj.weight", HIDDEN, HEADS * hd)
        w.add(e + "post_attention_layernorm.weight", HIDDEN, const=1.0)
        if fused:  # Phi3: gate_up_proj rows are [gate; up]
            w.add(e + "mlp.gate_up_proj.weight", 2 * inter, HIDDEN)
        else:
            w.add(e + "mlp.gate_proj.weight", inter, HIDDEN)
            w.add(e + "mlp.up_proj.weight", inter, HIDDEN)
        w.add(e + "mlp.down_proj.weight", HIDDEN, inter)
    w.add("model.norm.weight", HIDDEN, const=1.0)
    if not tied:
        w.add("lm_head.weight", V, HIDDEN, scale=0.5)


def llama_like_forward(w, ids, hd, KV, inv_freq, eps, windows=(None, None), qkv_bias=False, fused=False,
                       tied=False):
    n = len(ids)
    x = w["model.embed_tokens.weight"][torch.tensor(ids)]
    maps = []
    for l in range(LAYERS):
        e = "model.layers.%d." % l
        h = rms_norm(x, w[e + "input_layernorm.weight"], eps)
        if fused:
            qkv = linear(h, w[e + "self_attn.qkv_proj.weight"])
            q, k, v = qkv.split([HEADS * hd, KV * hd, KV * hd], dim=-1)
        else:
            b = (lambda m: w[e + "self_attn.%s_proj.bias" % m]) if qkv_bias else (lambda m: None)
            q = linear(h, w[e + "self_attn.q_proj.weight"], b("q"))
            k = linear(h, w[e + "self_attn.k_proj.weight"], b("k"))
            v = linear(h, w[e + "self_attn.v_proj.weight"], b("v"))
        q, k, v = q.reshape(n, HEADS, hd), k.reshape(n, KV, hd), v.reshape(n, KV, hd)
        q, k = rope(q, inv_freq), rope(k, inv_freq)
        ctx, probs = attend(q, repeat_kv(k, HEADS), repeat_kv(v, HEADS), hd ** -0.5, window=windows[l])
        maps.append(probs)
        x = x + linear(ctx, w[e + "self_attn.o_proj.weight"])
        h = rms_norm(x, w[e + "post_attention_layernorm.weight"], eps)
        if fused:
            gate, up = linear(h, w[e + "mlp.gate_up_proj.weight"]).chunk(2, dim=-1)
        else:
            gate, up = linear(h, w[e + "mlp.gate_proj.weight"]), linear(h, w[e + "mlp.up_proj.weight"])
        x = x + linear(up * torch.nn.functional.silu(gate), w[e + "mlp.down_proj.weight"])
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if tied else w["lm_head.weight"]
    return torch.stack(maps), linear(x, head)


def make_qwen2():
    V, KV, THETA, EPS, WINDOW = 96, 2, 1000000.0, 1e-6, 4
    hd = HIDDEN // HEADS
    cfg = {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "vocab_size": V, "hidden_size": HIDDEN,
           "intermediate_size": INTER, "num_hidden_layers": LAYERS, "num_attention_heads": HEADS,
           "num_key_value_heads": KV, "hidden_act": "silu", "max_position_embeddings": 64, "rms_norm_eps": EPS,
           "rope_theta": THETA, "rope_scaling": None, "tie_word_embeddings": False, "use_sliding_window": False,
           "sliding_window": WINDOW, "max_window_layers": 1, "attention_dropout": 0.0, "bos_token_id": 90,
           "eos_token_id": 91, "initializer_range": 0.02, "use_cache": True, "torch_dtype": "bfloat16"}
    w = Weights(5005, "BF16")
    llama_like_weights(w, V, hd, KV, INTER, qkv_bias=True)
    inv = default_inv_freq(THETA, hd)
    fwd = lambda ids, **kw: llama_like_forward(w, ids, hd, KV, inv, EPS, qkv_bias=True, **kw)
    ids = fixed_ids(5006, 12, 0, 90)
    att, _ = fwd(ids)
    nxt, greedy, margin = lm_extras(fwd, ids, eos=[91])
    # the same weights with the q/k/v biases zeroed: what a loader that drops the biases would see
    nob = Weights(0, "BF16")
    nob.w = {k: (torch.zeros_like(t) if k.endswith(".bias") else t) for k, t in w.w.items()}
    ablations = {
        "q/k/v biases left out": max_change(att, llama_like_forward(nob, ids, hd, KV, inv, EPS, qkv_bias=True)[0]),
        "sliding_window 4 wrongly applied to layer 1 (use_sliding_window is false)":
            max_change(att, fwd(ids, windows=(None, WINDOW))[0]),
        "rope_theta 10000 instead of 1e6": max_change(att, llama_like_forward(
            w, ids, hd, KV, default_inv_freq(10000.0, hd), EPS, qkv_bias=True)[0]),
    }
    expected = {"ids": ids, "next_token": nxt, "greedy5": greedy, "next_token_margin": round(margin, 6),
                "notes": "modeling_qwen2.py (Qwen2ForCausalLM): Llama with bias=True on q_proj/k_proj/v_proj and "
                         "none on o_proj; GQA (repeat_kv: query head h uses kv head h // 2); RoPE rotate_half, "
                         "theta 1e6, inv_freq = theta^(-2i/head_dim); scale head_dim^-0.5; RMSNorm eps 1e-6; "
                         "untied lm_head. configuration_qwen2: sliding_window is kept only if use_sliding_window, "
                         "so here it is None and every layer is full causal attention (layer_types all "
                         "full_attention) although the config says sliding_window 4 and max_window_layers 1.",
                "ablations": rounded(ablations)}
    write_folder("qwen2", cfg, w, expected, att)
    return ids, ablations, margin


def make_mistral():
    V, KV, THETA, EPS, WINDOW = 96, 2, 10000.0, 1e-5, 4
    hd = HIDDEN // HEADS
    cfg = {"architectures": ["MistralForCausalLM"], "model_type": "mistral", "vocab_size": V,
           "hidden_size": HIDDEN, "intermediate_size": INTER, "num_hidden_layers": LAYERS,
           "num_attention_heads": HEADS, "num_key_value_heads": KV, "hidden_act": "silu",
           "max_position_embeddings": 64, "rms_norm_eps": EPS, "rope_theta": THETA, "sliding_window": WINDOW,
           "tie_word_embeddings": False, "attention_dropout": 0.0, "bos_token_id": 1, "eos_token_id": 2,
           "initializer_range": 0.02, "use_cache": True, "torch_dtype": "bfloat16"}
    w = Weights(6006, "BF16")
    llama_like_weights(w, V, hd, KV, INTER)
    inv = default_inv_freq(THETA, hd)
    fwd = lambda ids, windows=(WINDOW, WINDOW): llama_like_forward(w, ids, hd, KV, inv, EPS, windows=windows)
    ids = fixed_ids(6007, 12, 3, V, first=1)
    att, _ = fwd(ids)
    nxt, greedy, margin = lm_extras(fwd, ids, eos=[2])
    ablations = {"sliding window ignored (plain causal)": max_change(att, fwd(ids, windows=(None, None))[0]),
                 "window off by one (i - j <= 4 kept)": max_change(att, fwd(ids, windows=(WINDOW + 1,) * 2)[0])}
    expected = {"ids": ids, "next_token": nxt, "greedy5": greedy, "next_token_margin": round(margin, 6),
                "window_rule": WINDOW_RULE, "sliding_window": WINDOW,
                "notes": "modeling_mistral.py: Llama architecture (RMSNorm eps 1e-5, RoPE rotate_half theta 1e4, "
                         "GQA 4 heads / 2 kv heads, SwiGLU, untied lm_head); MistralModel builds "
                         "create_sliding_window_causal_mask when config.sliding_window is set, on every layer: "
                         "masking_utils.sliding_window_overlay keeps kv_idx > q_idx - sliding_window, so with "
                         "window 4 keys with i - j >= 4 are masked (weight exactly 0), each query sees itself and "
                         "the 3 keys before it. greedy5 re-runs the whole sequence each step (same window).",
                "ablations": rounded(ablations)}
    write_folder("mistral", cfg, w, expected, att)
    return ids, ablations, margin


def make_llama3():
    V, KV, THETA, EPS = 96, 2, 500000.0, 1e-5
    hd = HIDDEN // HEADS
    SCALING = {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
               "original_max_position_embeddings": 256}
    cfg = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": V, "hidden_size": HIDDEN,
           "intermediate_size": INTER, "num_hidden_layers": LAYERS, "num_attention_heads": HEADS,
           "num_key_value_heads": KV, "hidden_act": "silu", "max_position_embeddings": 2048,
           "rms_norm_eps": EPS, "rope_theta": THETA, "rope_scaling": SCALING, "tie_word_embeddings": True,
           "attention_bias": False, "mlp_bias": False, "attention_dropout": 0.0, "bos_token_id": 1,
           "eos_token_id": [2, 3], "initializer_range": 0.02, "pretraining_tp": 1, "use_cache": True,
           "torch_dtype": "bfloat16"}
    w = Weights(7007, "BF16")
    llama_like_weights(w, V, hd, KV, INTER, tied=True, embed_scale=0.3)  # 0.5: greedy repeats a token
    inv, bands, wavelen = llama3_inv_freq(THETA, hd, SCALING["factor"], SCALING["low_freq_factor"],
                                          SCALING["high_freq_factor"], SCALING["original_max_position_embeddings"])
    fwd = lambda ids, inv=inv: llama_like_forward(w, ids, hd, KV, inv, EPS, tied=True)
    ids = fixed_ids(7008, 14, 4, V, first=1)
    att, _ = fwd(ids)
    nxt, greedy, margin = lm_extras(fwd, ids, eos=[2, 3])
    plain = default_inv_freq(THETA, hd)
    all_divided = plain / SCALING["factor"]
    ablations = {"rope_scaling ignored (plain theta 500000 frequencies)": max_change(att, fwd(ids, plain)[0]),
                 "every frequency divided by factor (no bands)": max_change(att, fwd(ids, all_divided)[0]),
                 "medium band not smoothed (kept as is)": max_change(att, fwd(ids, torch.where(
                     torch.tensor(["medium" in b for b in bands]), plain, inv))[0]),
                 "low band not divided (kept as is)": max_change(att, fwd(ids, torch.where(
                     torch.tensor(["low" in b for b in bands]), plain, inv))[0])}
    expected = {"ids": ids, "next_token": nxt, "greedy5": greedy, "next_token_margin": round(margin, 6),
                "inv_freq": inv.tolist(), "inv_freq_unscaled": plain.tolist(), "bands": bands,
                "notes": "modeling_llama.py with rope_type llama3: modeling_rope_utils._compute_llama3_parameters "
                         "(inv_freq = theta^(-2i/head_dim); wavelen = 2 pi / inv_freq; wavelen < orig/high_freq_factor "
                         "= 64: kept; wavelen > orig/low_freq_factor = 256: inv_freq / factor; otherwise smooth = "
                         "(orig / wavelen - low) / (high - low), inv_freq = (1 - smooth) * inv_freq / factor + "
                         "smooth * inv_freq). head_dim 8, theta 500000: wavelengths 6.28, 167.1, 4443, 118100 -> "
                         "pair 0 high band (kept), pair 1 medium (smoothed), pairs 2 and 3 low (/8). Tied "
                         "embeddings: no lm_head tensor, logits = norm(x) @ embed_tokens^T. eos_token_id is a list.",
                "ablations": rounded(ablations)}
    write_folder("llama3", cfg, w, expected, att)
    return ids, ablations, margin, bands


def make_phi3():
    V, KV, THETA, EPS, PARTIAL = 96, 2, 10000.0, 1e-5, 0.5
    hd = HIDDEN // HEADS
    cfg = {"architectures": ["Phi3ForCausalLM"], "model_type": "phi3", "vocab_size": V, "hidden_size": HIDDEN,
           "intermediate_size": INTER, "num_hidden_layers": LAYERS, "num_attention_heads": HEADS,
           "num_key_value_heads": KV, "hidden_act": "silu", "max_position_embeddings": 4096,
           "original_max_position_embeddings": 4096, "rms_norm_eps": EPS, "rope_theta": THETA,
           "rope_scaling": None, "partial_rotary_factor": PARTIAL, "sliding_window": 2047,
           "tie_word_embeddings": False, "attention_bias": False, "attention_dropout": 0.0, "embd_pdrop": 0.0,
           "resid_pdrop": 0.0, "bos_token_id": 1, "eos_token_id": 2, "pad_token_id": 0,
           "initializer_range": 0.02, "use_cache": True, "torch_dtype": "bfloat16"}
    w = Weights(8008, "BF16")
    llama_like_weights(w, V, hd, KV, INTER, fused=True)
    rot = int(hd * PARTIAL)
    inv = default_inv_freq(THETA, rot)  # the exponent's denominator is the rotary dim (4), not head_dim
    fwd = lambda ids, inv=inv: llama_like_forward(w, ids, hd, KV, inv, EPS, fused=True)
    ids = fixed_ids(8010, 12, 3, V, first=1)  # (8009 gave a next-token margin of 2e-4)
    att, _ = fwd(ids)
    nxt, greedy, margin = lm_extras(fwd, ids, eos=[2])
    ablations = {"full rotary (partial_rotary_factor ignored)":
                     max_change(att, fwd(ids, default_inv_freq(THETA, hd))[0]),
                 "first half rotated with head_dim in the exponent (theta^(-2i/8))":
                     max_change(att, fwd(ids, default_inv_freq(THETA, hd)[: rot // 2])[0])}
    expected = {"ids": ids, "next_token": nxt, "greedy5": greedy, "next_token_margin": round(margin, 6),
                "rotary_dim": rot, "inv_freq": inv.tolist(),
                "notes": "modeling_phi3.py: qkv_proj.weight rows [q (heads*hd); k (kv*hd); v (kv*hd)], "
                         "gate_up_proj rows [gate; up] (chunk(2): up * silu(gate)); RMSNorm eps 1e-5 (Llama's). "
                         "partial_rotary_factor 0.5: rotary_dim = int(head_dim * 0.5) = 4, inv_freq = "
                         "theta^(-arange(0, 4, 2) / 4) (the rotary dim in the exponent); apply_rotary_pos_emb "
                         "rotates q[..., :4] with rotate_half inside those 4 dims (pairs (0, 2) and (1, 3)) and "
                         "passes q[..., 4:] unchanged. sliding_window 2047 (Phi3Model is MistralModel: a sliding "
                         "mask, never reached with these lengths). Untied lm_head, no biases.",
                "ablations": rounded(ablations)}
    write_folder("phi3", cfg, w, expected, att)
    return ids, ablations, margin


# ------------------------------------------------------------------------------------------ Gemma 2

def make_gemma2():
    V, KV, HD, EPS, THETA = 96, 2, 16, 1e-6, 10000.0
    QPAS, WINDOW, ATTN_CAP, FINAL_CAP = 24, 4, 5.0, 30.0
    cfg = {"architectures": ["Gemma2ForCausalLM"], "model_type": "gemma2", "vocab_size": V,
           "hidden_size": HIDDEN, "intermediate_size": INTER, "num_hidden_layers": LAYERS,
           "num_attention_heads": HEADS, "num_key_value_heads": KV, "head_dim": HD,
           "hidden_act": "gelu_pytorch_tanh", "hidden_activation": "gelu_pytorch_tanh",
           "max_position_embeddings": 64, "rms_norm_eps": EPS, "rope_theta": THETA,
           "query_pre_attn_scalar": QPAS, "sliding_window": WINDOW, "attn_logit_softcapping": ATTN_CAP,
           "final_logit_softcapping": FINAL_CAP, "cache_implementation": "hybrid", "attention_bias": False,
           "attention_dropout": 0.0, "tie_word_embeddings": True, "pad_token_id": 0, "eos_token_id": 1,
           "bos_token_id": 2, "initializer_range": 0.02, "use_cache": True, "torch_dtype": "bfloat16"}
    w = Weights(9009, "BF16")
    w.add("model.embed_tokens.weight", V, HIDDEN, scale=0.5)
    norms = ("input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm", "post_feedforward_layernorm")
    for l in range(LAYERS):
        e = "model.layers.%d." % l
        for m in norms:  # Gemma stores w with the norm scaling by (1 + w): small values around 0
            w.add(e + m + ".weight", HIDDEN, scale=0.1)
        w.add(e + "self_attn.q_proj.weight", HEADS * HD, HIDDEN, scale=0.35)
        w.add(e + "self_attn.k_proj.weight", KV * HD, HIDDEN, scale=0.35)
        w.add(e + "self_attn.v_proj.weight", KV * HD, HIDDEN)
        w.add(e + "self_attn.o_proj.weight", HIDDEN, HEADS * HD)
        w.add(e + "mlp.gate_proj.weight", INTER, HIDDEN)
        w.add(e + "mlp.up_proj.weight", INTER, HIDDEN)
        w.add(e + "mlp.down_proj.weight", HIDDEN, INTER)
    w.add("model.norm.weight", HIDDEN, scale=0.1)
    # Gemma2Model: normalizer = torch.tensor(hidden_size ** 0.5, dtype=hidden_states.dtype): in the checkpoint's
    # dtype (bfloat16) sqrt(32) = 5.65685... becomes 5.65625
    embed_scale = float(torch.tensor(HIDDEN ** 0.5, dtype=torch.bfloat16))
    layer_types = ["sliding_attention" if bool((i + 1) % 2) else "full_attention" for i in range(LAYERS)]
    inv = default_inv_freq(THETA, HD)

    def forward(ids, cap=ATTN_CAP, window=WINDOW, scale=QPAS ** -0.5, normalizer=embed_scale, final_cap=FINAL_CAP,
                sliding=tuple(t == "sliding_attention" for t in layer_types), plus_one=True, raw=None):
        n = len(ids)
        norm = gemma_rms_norm if plus_one else (lambda x, w_, eps: rms_norm(x, w_, eps))
        x = w["model.embed_tokens.weight"][torch.tensor(ids)] * normalizer
        maps = []
        for l in range(LAYERS):
            e = "model.layers.%d." % l
            h = norm(x, w[e + "input_layernorm.weight"], EPS)
            q = linear(h, w[e + "self_attn.q_proj.weight"]).view(n, HEADS, HD)
            k = linear(h, w[e + "self_attn.k_proj.weight"]).view(n, KV, HD)
            v = linear(h, w[e + "self_attn.v_proj.weight"]).view(n, KV, HD)
            q, k = rope(q, inv), rope(k, inv)
            k, v = repeat_kv(k, HEADS), repeat_kv(v, HEADS)
            if raw is not None:
                raw.append(torch.einsum("qhd,khd->hqk", q, k) * scale)
            ctx, probs = attend(q, k, v, scale, softcap=cap,
                                window=window if sliding[l] else None)
            maps.append(probs)
            a = linear(ctx, w[e + "self_attn.o_proj.weight"])
            x = x + norm(a, w[e + "post_attention_layernorm.weight"], EPS)
            h = norm(x, w[e + "pre_feedforward_layernorm.weight"], EPS)
            h = linear(gelu_tanh(linear(h, w[e + "mlp.gate_proj.weight"])) * linear(h, w[e + "mlp.up_proj.weight"]),
                       w[e + "mlp.down_proj.weight"])
            x = x + norm(h, w[e + "post_feedforward_layernorm.weight"], EPS)
        x = norm(x, w["model.norm.weight"], EPS)
        logits = linear(x, w["model.embed_tokens.weight"])
        if final_cap is not None:
            logits = torch.tanh(logits / final_cap) * final_cap
        return torch.stack(maps), logits

    ids = fixed_ids(9010, 12, 3, V, first=2)
    raw = []
    att, logits = forward(ids, raw=raw)
    nxt, greedy, margin = lm_extras(forward, ids, eos=[1])
    causal = torch.tril(torch.ones(len(ids), len(ids), dtype=torch.bool))
    biggest = max(float(r[:, causal].abs().max()) for r in raw)
    ablations = {
        "attn soft cap ignored": max_change(att, forward(ids, cap=None)[0]),
        "attn soft cap 50 (the Hub's value) instead of 5": max_change(att, forward(ids, cap=50.0)[0]),
        "(for scale) cap 50 against no cap at all": max_change(forward(ids, cap=50.0)[0], forward(ids, cap=None)[0]),
        "sliding window ignored on layer 0": max_change(att, forward(ids, window=None)[0]),
        "window on layer 1 instead of layer 0": max_change(att, forward(ids, sliding=(False, True))[0]),
        "scale head_dim^-0.5 instead of query_pre_attn_scalar^-0.5": max_change(att, forward(ids, scale=HD ** -0.5)[0]),
        "embed normalizer sqrt(32) unrounded instead of bfloat16 5.65625":
            max_change(att, forward(ids, normalizer=HIDDEN ** 0.5)[0]),
        "no embed normalizer": max_change(att, forward(ids, normalizer=1.0)[0]),
        "RMSNorm scaling by w instead of (1 + w)": max_change(att, forward(ids, plus_one=False)[0]),
        "final logits after ids: max |capped - uncapped| over the vocabulary":
            max_change(logits[-1], forward(ids, final_cap=None)[1][-1]),
    }
    expected = {"ids": ids, "next_token": nxt, "greedy5": greedy, "next_token_margin": round(margin, 6),
                "last_logits": [round(float(t), 6) for t in logits[-1]], "embed_scale": embed_scale,
                "layer_types": layer_types, "window_rule": WINDOW_RULE, "sliding_window": WINDOW,
                "max_abs_scaled_score": round(biggest, 4),
                "notes": "modular_gemma2.py / modeling_gemma2.py (Gemma2ForCausalLM): x = embed * normalizer, "
                         "normalizer = torch.tensor(sqrt(hidden_size), dtype=checkpoint dtype) = bf16(5.65685) = "
                         "5.65625 (embed_scale); Gemma2RMSNorm in float32: x * rsqrt(mean(x^2) + 1e-6) * (1 + w); "
                         "layer: x + post_attention_layernorm(attn(input_layernorm(x))), then x + "
                         "post_feedforward_layernorm(mlp(pre_feedforward_layernorm(x))); MLP down(gelu_tanh(gate) "
                         "* up); head_dim 16 given explicitly (q 64 wide, o_proj 64 -> 32); RoPE over all 16 dims, "
                         "theta 1e4; GQA 4/2; scores = q.k * query_pre_attn_scalar^-0.5 (24^-0.5, not 16^-0.5), "
                         "then soft cap tanh(s / 5) * 5 BEFORE the mask, then causal/sliding mask, softmax. "
                         "layer_types default: sliding_attention if (i + 1) % 2 (even layers: layer 0 sliding "
                         "with window 4, layer 1 full). Tied lm_head; final logits tanh(l / 30) * 30 (argmax "
                         "unchanged; last_logits are the capped logits after ids). attn_logit_softcapping is 5.0, "
                         "not the Hub's 50.0: with these weights the largest |scaled score| is about "
                         "max_abs_scaled_score, so 50 would hardly bite.",
                "ablations": rounded(ablations)}
    write_folder("gemma2", cfg, w, expected, att)
    return ids, ablations, margin, biggest


# --------------------------------------------------------------------------- encoders: RoBERTa, DistilBERT

def bert_layers(x, w, e_of, names, eps, n, scale_q_first=False):
    """Post-norm BERT-style encoder layers. names: dict of role -> name pattern (with %s for the prefix)."""
    hd = HIDDEN // HEADS
    maps = []
    for l in range(LAYERS):
        e = e_of(l)
        g = lambda role: w[e + names[role]]
        q = linear(x, g("q.w"), g("q.b")).view(n, HEADS, hd)
        k = linear(x, g("k.w"), g("k.b")).view(n, HEADS, hd)
        v = linear(x, g("v.w"), g("v.b")).view(n, HEADS, hd)
        if scale_q_first:  # DistilBERT: q = q / sqrt(dim_per_head), then q @ k^T
            ctx, probs = attend(q / math.sqrt(hd), k, v, 1.0, causal=False)
        else:
            ctx, probs = attend(q, k, v, hd ** -0.5, causal=False)
        maps.append(probs)
        a = linear(ctx, g("o.w"), g("o.b"))
        x = layer_norm(a + x, g("ln1.w"), g("ln1.b"), eps)
        h = linear(gelu_erf(linear(x, g("fc1.w"), g("fc1.b"))), g("fc2.w"), g("fc2.b"))
        x = layer_norm(h + x, g("ln2.w"), g("ln2.b"), eps)
    return x, torch.stack(maps)


def add_bert_layer(w, e, names):
    for role in ("q", "k", "v"):
        w.add(e + names[role + ".w"], HIDDEN, HIDDEN, scale=0.35)
        w.add(e + names[role + ".b"], HIDDEN, scale=0.1)
    w.add(e + names["o.w"], HIDDEN, HIDDEN)
    w.add(e + names["o.b"], HIDDEN, scale=0.1)
    w.add(e + names["ln1.w"], HIDDEN, const=1.0)
    w.add(e + names["ln1.b"], HIDDEN, scale=0.1)
    w.add(e + names["fc1.w"], INTER, HIDDEN)
    w.add(e + names["fc1.b"], INTER, scale=0.1)
    w.add(e + names["fc2.w"], HIDDEN, INTER)
    w.add(e + names["fc2.b"], HIDDEN, scale=0.1)
    w.add(e + names["ln2.w"], HIDDEN, const=1.0)
    w.add(e + names["ln2.b"], HIDDEN, scale=0.1)


BERT_NAMES = {"q.w": "attention.self.query.weight", "q.b": "attention.self.query.bias",
              "k.w": "attention.self.key.weight", "k.b": "attention.self.key.bias",
              "v.w": "attention.self.value.weight", "v.b": "attention.self.value.bias",
              "o.w": "attention.output.dense.weight", "o.b": "attention.output.dense.bias",
              "ln1.w": "attention.output.LayerNorm.weight", "ln1.b": "attention.output.LayerNorm.bias",
              "fc1.w": "intermediate.dense.weight", "fc1.b": "intermediate.dense.bias",
              "fc2.w": "output.dense.weight", "fc2.b": "output.dense.bias",
              "ln2.w": "output.LayerNorm.weight", "ln2.b": "output.LayerNorm.bias"}


def make_roberta():
    V, CONTEXT, PAD, EPS = 64, 32, 1, 1e-5
    P = CONTEXT + PAD + 1  # 34: positions padding_idx + 1 ... padding_idx + CONTEXT
    cfg = {"architectures": ["RobertaForMaskedLM"], "model_type": "roberta", "vocab_size": V,
           "hidden_size": HIDDEN, "num_hidden_layers": LAYERS, "num_attention_heads": HEADS,
           "intermediate_size": INTER, "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
           "attention_probs_dropout_prob": 0.1, "max_position_embeddings": P, "type_vocab_size": 1,
           "layer_norm_eps": EPS, "pad_token_id": PAD, "bos_token_id": 0, "eos_token_id": 2,
           "position_embedding_type": "absolute", "initializer_range": 0.02, "torch_dtype": "float32"}
    w = Weights(10010, "F32")
    p = "roberta."
    w.add(p + "embeddings.word_embeddings.weight", V, HIDDEN, scale=0.5)
    w.add(p + "embeddings.position_embeddings.weight", P, HIDDEN, scale=0.5)
    w.add(p + "embeddings.token_type_embeddings.weight", 1, HIDDEN, scale=0.5)
    w.add(p + "embeddings.LayerNorm.weight", HIDDEN, const=1.0)
    w.add(p + "embeddings.LayerNorm.bias", HIDDEN, scale=0.1)
    for l in range(LAYERS):
        add_bert_layer(w, p + "encoder.layer.%d." % l, BERT_NAMES)
    # RobertaLMHead (unused here; decoder.weight is tied to the word embeddings and not saved)
    w.add("lm_head.dense.weight", HIDDEN, HIDDEN)
    w.add("lm_head.dense.bias", HIDDEN, scale=0.1)
    w.add("lm_head.layer_norm.weight", HIDDEN, const=1.0)
    w.add("lm_head.layer_norm.bias", HIDDEN, scale=0.1)
    w.add("lm_head.bias", V, scale=0.1)

    ids = fixed_ids(10011, 12, 3, V, first=0, last=2, avoid=(PAD,))

    def forward(ids, offset=PAD + 1):
        n = len(ids)
        t = torch.tensor(ids)
        # create_position_ids_from_input_ids: cumsum(ids != pad) * (ids != pad) + padding_idx
        mask = (t != PAD).long()
        pos = torch.cumsum(mask, 0) * mask + PAD if offset == PAD + 1 else torch.arange(n) + offset
        x = w[p + "embeddings.word_embeddings.weight"][t] + w[p + "embeddings.position_embeddings.weight"][pos] \
            + w[p + "embeddings.token_type_embeddings.weight"][0]
        x = layer_norm(x, w[p + "embeddings.LayerNorm.weight"], w[p + "embeddings.LayerNorm.bias"], EPS)
        return bert_layers(x, w, lambda l: p + "encoder.layer.%d." % l, BERT_NAMES, EPS, n)[1]

    att = forward(ids)
    ablations = {"positions from 0 (BERT style) instead of padding_idx + 1 = 2": max_change(att, forward(ids, 0))}
    expected = {"ids": ids, "position_ids": list(range(PAD + 1, PAD + 1 + len(ids))),
                "notes": "modeling_roberta.py (RobertaForMaskedLM names under roberta.; lm_head.* present and "
                         "unused, no pooler): BERT post-norm encoder; RobertaEmbeddings position ids = "
                         "create_position_ids_from_input_ids: cumsum(ids != pad) * (ids != pad) + padding_idx, "
                         "i.e. padding_idx + 1 + index = 2, 3, ... for ids without padding (max_position_embeddings "
                         "= 32 + 2); token type 0 of type_vocab_size 1 added; LayerNorm eps 1e-5 everywhere; "
                         "exact-erf gelu; scores q.k / sqrt(8), no mask.",
                "ablations": rounded(ablations)}
    write_folder("roberta", cfg, w, expected, att)
    return ids, ablations


DISTIL_NAMES = {"q.w": "attention.q_lin.weight", "q.b": "attention.q_lin.bias",
                "k.w": "attention.k_lin.weight", "k.b": "attention.k_lin.bias",
                "v.w": "attention.v_lin.weight", "v.b": "attention.v_lin.bias",
                "o.w": "attention.out_lin.weight", "o.b": "attention.out_lin.bias",
                "ln1.w": "sa_layer_norm.weight", "ln1.b": "sa_layer_norm.bias",
                "fc1.w": "ffn.lin1.weight", "fc1.b": "ffn.lin1.bias",
                "fc2.w": "ffn.lin2.weight", "fc2.b": "ffn.lin2.bias",
                "ln2.w": "output_layer_norm.weight", "ln2.b": "output_layer_norm.bias"}


def make_distilbert():
    V, P, EPS = 64, 32, 1e-12
    cfg = {"architectures": ["DistilBertModel"], "model_type": "distilbert", "vocab_size": V, "dim": HIDDEN,
           "n_layers": LAYERS, "n_heads": HEADS, "hidden_dim": INTER, "activation": "gelu",
           "max_position_embeddings": P, "sinusoidal_pos_embds": False, "dropout": 0.1,
           "attention_dropout": 0.1, "qa_dropout": 0.1, "seq_classif_dropout": 0.2, "tie_weights_": True,
           "pad_token_id": 0, "initializer_range": 0.02, "torch_dtype": "float32"}
    w = Weights(11011, "F32")
    w.add("embeddings.word_embeddings.weight", V, HIDDEN, scale=0.5)
    w.add("embeddings.position_embeddings.weight", P, HIDDEN, scale=0.5)
    w.add("embeddings.LayerNorm.weight", HIDDEN, const=1.0)
    w.add("embeddings.LayerNorm.bias", HIDDEN, scale=0.1)
    for l in range(LAYERS):
        add_bert_layer(w, "transformer.layer.%d." % l, DISTIL_NAMES)
    ids = fixed_ids(11012, 12, 4, V, first=2, last=3)
    n = len(ids)

    def forward(ids, eps=EPS, positions=True):
        x = w["embeddings.word_embeddings.weight"][torch.tensor(ids)]
        if positions:
            x = x + w["embeddings.position_embeddings.weight"][:n]
        x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
        return bert_layers(x, w, lambda l: "transformer.layer.%d." % l, DISTIL_NAMES, eps, n, scale_q_first=True)[1]

    att = forward(ids)
    ablations = {"position embeddings left out": max_change(att, forward(ids, positions=False)),
                 "LayerNorm eps 1e-5 instead of 1e-12": max_change(att, forward(ids, eps=1e-5))}
    expected = {"ids": ids,
                "notes": "modeling_distilbert.py (DistilBertModel names, no prefix): Embeddings = LayerNorm(word + "
                         "position[0..N-1]) with nn.LayerNorm eps 1e-12 (hard-coded, not in the config), no token "
                         "types; TransformerBlock post-norm: sa_layer_norm(out_lin(attn) + x), then "
                         "output_layer_norm(lin2(gelu(lin1(x))) + x); attention q = q_lin(x) / sqrt(dim / n_heads) "
                         "then q @ k^T, softmax, no mask; activation gelu = exact erf.",
                "ablations": rounded(ablations)}
    write_folder("distilbert", cfg, w, expected, att)
    return ids, ablations


# ------------------------------------------------------------------------------------------ DeiT

def make_deit():
    IMG, PATCH, C = 16, 4, 3
    NP = (IMG // PATCH) ** 2
    cfg = {"architectures": ["DeiTModel"], "model_type": "deit", "hidden_size": HIDDEN,
           "num_hidden_layers": LAYERS, "num_attention_heads": HEADS, "intermediate_size": INTER,
           "hidden_act": "gelu", "hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0,
           "image_size": IMG, "patch_size": PATCH, "num_channels": C, "layer_norm_eps": 1e-12, "qkv_bias": True,
           "encoder_stride": PATCH, "initializer_range": 0.02, "torch_dtype": "float32"}
    w = Weights(12012, "F32")
    w.add("embeddings.cls_token", 1, 1, HIDDEN, scale=0.5)
    w.add("embeddings.distillation_token", 1, 1, HIDDEN, scale=0.5)
    w.add("embeddings.position_embeddings", 1, NP + 2, HIDDEN, scale=0.3)
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
    w.add("pooler.dense.weight", HIDDEN, HIDDEN)  # DeiTModel's pooler (tanh on token 0); unused here
    w.add("pooler.dense.bias", HIDDEN, scale=0.1)

    gen = torch.Generator().manual_seed(12013)
    rgb = torch.randint(0, 256, (C, IMG, IMG), generator=gen).to(torch.float64)
    pixels = ((rgb / 255.0 - 0.5) / 0.5).to(torch.float32).to(torch.float64)  # as vit/: mean = std = 0.5
    hd = HIDDEN // HEADS
    patches = torch.nn.functional.conv2d(pixels[None], w["embeddings.patch_embeddings.projection.weight"],
                                         w["embeddings.patch_embeddings.projection.bias"], stride=PATCH)
    patches = patches.flatten(2).transpose(1, 2)[0]

    def forward(tokens, pos):
        x = torch.cat(tokens + [patches], dim=0) + pos
        n = x.shape[0]
        maps = []
        for l in range(LAYERS):
            e = "encoder.layer.%d." % l
            h = layer_norm(x, w[e + "layernorm_before.weight"], w[e + "layernorm_before.bias"], 1e-12)
            q, k, v = (linear(h, w[e + "attention.attention.%s.weight" % m], w[e + "attention.attention.%s.bias" % m])
                       .view(n, HEADS, hd) for m in ("query", "key", "value"))
            ctx, probs = attend(q, k, v, hd ** -0.5, causal=False)
            maps.append(probs)
            x = x + linear(ctx, w[e + "attention.output.dense.weight"], w[e + "attention.output.dense.bias"])
            h = layer_norm(x, w[e + "layernorm_after.weight"], w[e + "layernorm_after.bias"], 1e-12)
            h = gelu_erf(linear(h, w[e + "intermediate.dense.weight"], w[e + "intermediate.dense.bias"]))
            x = x + linear(h, w[e + "output.dense.weight"], w[e + "output.dense.bias"])
        return torch.stack(maps)

    cls, dist = w["embeddings.cls_token"][0], w["embeddings.distillation_token"][0]
    pos = w["embeddings.position_embeddings"][0]
    att = forward([cls, dist], pos)
    swapped = forward([dist, cls], pos)  # the two tokens in the other order
    no_dist = forward([cls], pos[[0] + list(range(2, NP + 2))])  # ViT-style, distillation row dropped
    ablations = {"cls and distillation tokens swapped": max_change(att, swapped),
                 "distillation token left out (patch-to-patch attention, renormalised)":
                     max_change(att[:, :, 2:, 2:] / att[:, :, 2:, 2:].sum(-1, keepdim=True),
                                no_dist[:, :, 1:, 1:] / no_dist[:, :, 1:, 1:].sum(-1, keepdim=True))}
    write_folder("deit", cfg, w, {"tokens": NP + 2,
                                  "notes": "modeling_deit.py (DeiTModel names, no prefix; pooler present, unused): "
                                           "tokens = [cls_token, distillation_token, 16 patches (conv 4x4 stride 4, "
                                           "row-major)] + position_embeddings[0..17]; then ViT layers (pre-norm "
                                           "layernorm_before/after, eps 1e-12, exact-erf gelu, q.k / sqrt(8), no "
                                           "mask). pixels.npy as in vit/: (v / 255 - 0.5) / 0.5.",
                                  "ablations": rounded(ablations)},
                 att, extra={"pixels.npy": pixels})
    return ablations


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
        for name, make in (("qwen2", make_qwen2), ("mistral", make_mistral), ("llama3", make_llama3),
                           ("gemma2", make_gemma2), ("phi3", make_phi3), ("roberta", make_roberta),
                           ("distilbert", make_distilbert), ("deit", make_deit)):
            result = make()
            print("%-10s" % name, result)
    for name in sorted(os.listdir(OUT)):
        size = sum(os.path.getsize(os.path.join(OUT, name, f)) for f in os.listdir(os.path.join(OUT, name)))
        assert size < 120 * 1024, (name, size)
    total = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(OUT) for f in fs)
    print("wrote %s (%d bytes)" % (os.path.normpath(OUT), total))
    assert total < 1100 * 1024


if __name__ == "__main__":
    main()
