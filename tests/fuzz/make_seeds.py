#!/usr/bin/env python3
"""Writes the hand-made seed inputs of tests/fuzz/corpus/<name>/ (seed-*). Standard library only.

Run from anywhere:  python3 tests/fuzz/make_seeds.py
Files fuzzers add later (after -merge=1) are named by their SHA-1 and are not touched here.
"""
import json
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
CORPUS = os.path.join(HERE, "corpus")


def put(name, filename, data):
    d = os.path.join(CORPUS, name)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(d, "seed-" + filename), "wb") as f:
        f.write(data)


def copy(name, filename, src):
    with open(os.path.join(ROOT, src), "rb") as f:
        put(name, filename, f.read())


# ---------------------------------------------------------------- Mermaid
def mermaid():
    ddir = os.path.join(ROOT, "resources", "diagrams")
    for f in sorted(os.listdir(ddir)):
        if f.endswith(".mmd"):
            copy("mermaid", f, os.path.join("resources", "diagrams", f))
    seeds = {
        "empty.mmd": "",
        "header-only.mmd": "graph\n",
        "lr.mmd": "flowchart LR\n  A --> B\n",
        "shapes.mmd": """graph TD
  a[rect] --> b(round) --> c([stadium]) --> d[[sub]] --> e[(cyl)]
  f((circle)) --> g>asym] --> h{diamond} --> i{{hex}}
  j[/para/] --> k[\\alt\\] --> l[/trap\\] --> m[\\trapalt/] --> n(((dbl)))
  o:::hot --> p[x]:::cold
""",
        "edges.mmd": """graph LR
  A --> B
  A --- C
  A -.-> D
  A -.- E
  A ==> F
  A === G
  A <--> H
  A --o I
  A --x J
  A ~~~ K
  A ---> L
  A -..-> M
  A ====> N
  A o--o O
  A x--x P
  A <-.-> Q
  A <==> R
  A---oB
  A---xB
  A --- oB
""",
        "labels.mmd": """graph TD
  A -->|yes| B
  A -- no --> C
  A -. maybe .-> D
  A == sure ==> E
  Q["quoted ; ( ) 注意 #quot;x#quot; #35;"] --> R["line<br/>break"]
  M["`**markdown**
  spans lines`"] --> N
""",
        "chains.mmd": "graph TD\n  A --> B --> C --> D\n  A & B --> C & D\n  X;Y;Z\n",
        "subgraphs.mmd": """flowchart TB
  subgraph outer[Outer title]
    direction LR
    subgraph inner ["Inner"]
      a1 --> a2
    end
    b1 --> b2
  end
  subgraph Title with spaces
    c1
  end
  outer --> c1
""",
        "styles.mmd": """graph TD
  A --> B
  B --> C
  classDef hot fill:#f00,stroke:#333;
  classDef a,b color:red
  class A,B hot
  style C fill:#0f0,stroke-width:4px
  linkStyle 0,1 interpolate basis stroke:#f00
  linkStyle default stroke:#999
  click A callback "tooltip"
  accTitle: The title
  accDescr: A description
  %% a comment
  A --> D %% trailing comment
""",
        "frontmatter.mmd": """---
title: Front matter
config:
  theme: dark
---
%%{init: {"flowchart": {"curve": "linear"}}}%%
graph BT
  A --> B
""",
        "end-error.mmd": "graph TD\n  end --> A\n",
        "unclosed.mmd": "graph TD\n  subgraph s\n  A --> B\n",
        "bad-bracket.mmd": "graph TD\n  A[unclosed --> B\n",
        "rl-semicolons.mmd": "graph RL;A-->B;B-->C;",
        "attention.mmd": """graph LR
  X[Input X] --> Q[Query projection]
  X --> K[Key projection]
  X --> V[Value projection]
  Q --> S[Scores QK^T / sqrt d]
  K --> S
  S --> N[Softmax]
  N --> W[Weighted sum]
  V --> W
  W --> O[Output]
""",
    }
    for f, t in seeds.items():
        put("mermaid", f, t)


# ---------------------------------------------------------------- safetensors
def st_image(tensors, metadata=None, raw_header=None):
    """tensors: list of (name, dtype, shape, data bytes)."""
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    blob = b""
    for name, dtype, shape, data in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(blob), len(blob) + len(data)]}
        blob += data
    h = raw_header if raw_header is not None else json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    return struct.pack("<Q", len(h)) + h + blob


def safetensors():
    copy("safetensors", "torch-n1.safetensors", "tests/fixtures/torch/self_n1_e4_h1/weights.safetensors")
    copy("safetensors", "torch-n5.safetensors", "tests/fixtures/torch/self_n5_e8_h2/weights.safetensors")
    f32 = struct.pack("<6f", 1, -2, 3.5, 0, 1e-3, 6)
    put("safetensors", "f32.safetensors", st_image([("w", "F32", [2, 3], f32)], {"format": "pt"}))
    put("safetensors", "f16.safetensors", st_image([("h", "F16", [4], struct.pack("<4e", 1, -0.5, 65504, 6e-8))]))
    put("safetensors", "bf16.safetensors", st_image([("b", "BF16", [2], bytes([0x80, 0x3f, 0x00, 0xc0]))]))
    put("safetensors", "f64.safetensors", st_image([("d", "F64", [1, 2], struct.pack("<2d", 3.25, -1))]))
    put("safetensors", "mixed.safetensors", st_image([
        ("a.weight", "F32", [2, 2], struct.pack("<4f", 1, 2, 3, 4)),
        ("a.bias", "F16", [2], struct.pack("<2e", 0.5, 1)),
        ("scalar", "F32", [], struct.pack("<f", 7)),
        ("empty", "F32", [0, 3], b""),
    ]))
    put("safetensors", "i32.safetensors", st_image([("i", "I32", [2], struct.pack("<2i", 1, 2))]))
    put("safetensors", "empty-header.safetensors", st_image([], raw_header=b"{}"))
    put("safetensors", "meta-only.safetensors", st_image([], {"k": "v"}))
    bad = b'{"x":{"dtype":"F32","shape":[4],"data_offsets":[0,8]}}'
    put("safetensors", "size-mismatch.safetensors", st_image([], raw_header=bad) + b"\0" * 8)
    put("safetensors", "truncated.safetensors", struct.pack("<Q", 1000) + b'{"x":')


# ---------------------------------------------------------------- llama2.c checkpoint
def checkpoint(dim, hidden, layers, heads, kv, vocab, seq, shared=True, seed=1):
    hs = dim // heads
    kvdim = kv * hs
    counts = [vocab * dim, layers * dim, layers * dim * dim, layers * kvdim * dim, layers * kvdim * dim,
              layers * dim * dim, layers * dim, layers * hidden * dim, layers * dim * hidden,
              layers * hidden * dim, dim, seq * hs // 2, seq * hs // 2]
    if not shared:
        counts.append(vocab * dim)
    n = sum(counts)
    vals = [((i * 37 + seed * 11) % 101 - 50) / 100.0 for i in range(n)]
    header = struct.pack("<7i", dim, hidden, layers, heads, kv, vocab if shared else -vocab, seq)
    return header + struct.pack("<%df" % n, *vals)


def llama2c_checkpoint():
    put("llama2c_checkpoint", "dim8-l1-shared.bin", checkpoint(8, 16, 1, 2, 2, 16, 8))
    put("llama2c_checkpoint", "dim8-l1-gqa-unshared.bin", checkpoint(8, 12, 1, 2, 1, 10, 4, shared=False))
    put("llama2c_checkpoint", "dim4-l2.bin", checkpoint(4, 8, 2, 1, 1, 5, 2, seed=3))
    put("llama2c_checkpoint", "header-only.bin", struct.pack("<7i", 8, 16, 1, 2, 2, 16, 8))
    put("llama2c_checkpoint", "huge-header.bin", struct.pack("<7i", 1 << 20, 1 << 22, 1000, 64, 64, 1 << 20, 1 << 20))
    ok = bytearray(checkpoint(8, 16, 1, 2, 2, 16, 8))
    ok[28:32] = struct.pack("<f", float("nan"))
    put("llama2c_checkpoint", "nan-weight.bin", bytes(ok))
    put("llama2c_checkpoint", "short.bin", b"\x08\x00\x00\x00")


# ---------------------------------------------------------------- llama2.c tokenizer
def tokenizer_file(pieces, max_len=None):
    """pieces: list of (piece bytes, score)."""
    if max_len is None:
        max_len = max(1, max(len(p) for p, _ in pieces))
    out = struct.pack("<i", max_len)
    for p, s in pieces:
        out += struct.pack("<fi", s, len(p)) + p
    return out


def tok_input(vocab, text, tokfile):
    text = text.encode("utf-8") if isinstance(text, str) else text
    return struct.pack("<H", vocab - 1) + bytes([len(text)]) + text + tokfile


def llama2c_tokenizer():
    specials = [(b"<unk>", 0.0), (b"\n<s>\n", 0.0), (b"\n</s>\n", 0.0)]
    byte_pieces = [(("<0x%02X>" % b).encode(), 0.0) for b in range(256)]
    merges = [b" ", b"t", b"h", b"e", b"a", b"b", b"th", b"he", b"the", b" the", b" a", b"ab", b" ab",
              "注".encode(), "意".encode(), "注意".encode(), b"\xe2\x96\x81"]
    merge_pieces = [(m, -float(i)) for i, m in enumerate(merges)]
    full = specials + byte_pieces + merge_pieces
    tf = tokenizer_file(full)
    put("llama2c_tokenizer", "full-the-ab.bin", tok_input(len(full), "the ab the", tf))
    put("llama2c_tokenizer", "full-cjk-bytes.bin", tok_input(len(full), "注意 ok \U0001F600\n\t", tf))
    put("llama2c_tokenizer", "full-empty-text.bin", tok_input(len(full), "", tf))
    put("llama2c_tokenizer", "full-nul-text.bin", tok_input(len(full), b"ab\0the", tf))
    small = specials + [(b" ", -1.0), (b"a", -2.0), (b"b", -3.0), (b"ab", -0.5), (b" ab", 0.5)]
    sf = tokenizer_file(small, max_len=8)
    put("llama2c_tokenizer", "small-ab.bin", tok_input(len(small), "abab ab", sf))
    put("llama2c_tokenizer", "small-unknown-byte.bin", tok_input(len(small), "xyz", sf))
    nospace = specials + [(b"a", 0.0)]
    put("llama2c_tokenizer", "no-space-piece.bin", tok_input(len(nospace), "a", tokenizer_file(nospace)))
    dup = specials + [(b" ", 0.0), (b" ", 1.0), (b"x", 0.0)]
    put("llama2c_tokenizer", "duplicate-pieces.bin", tok_input(len(dup), "x x", tokenizer_file(dup)))
    one = [(b" ", 0.0)]  # a one-token vocabulary (BOS id 1 is outside it); empty text encodes to [BOS]
    put("llama2c_tokenizer", "vocab1-empty-text.bin", tok_input(1, "", tokenizer_file(one)))
    put("llama2c_tokenizer", "vocab-mismatch.bin", tok_input(len(small) + 1, "a", sf))
    put("llama2c_tokenizer", "bad-max-len.bin", tok_input(4, "a", struct.pack("<i", 0) + b"\0" * 32))


# ---------------------------------------------------------------- sequences / CSV
def sequence():
    seeds = {
        "scalars.txt": "1,2,3,4",
        "vectors.txt": "1,2;2,3;3,4",
        "wide.txt": "1,2,3,4,5;6,7,8,9,10",
        "spaces.txt": " 1.5 , -2e3 ; 3 , .5 ",
        "header.csv": "x,y\n1,2\n3,4\n",
        "labels.csv": "label,a,b\nfirst,1,2\nsecond,3,4\n",
        "semicolon.csv": "1;2;3\n4;5;6\n",
        "tab.csv": "1\t2\n3\t4\n",
        "comments.csv": "# comment\n\n1,2\n# more\n3,4\r\n",
        "ragged.csv": "1,2,3\n4,5\n",
        "nan.csv": "1,2\nnan,3\n",
        "inf.txt": "1,inf,3",
        "notnumber.csv": "1,2\n3,abc\n",
        "empty.txt": "",
        "unicode-labels.csv": "词,1,2\n注意,3,4\n",
        "quoted.csv": "\"a\",1\n\"b\",2\n",
        "hex-and-signs.txt": "+1,-0,0x10,1e308,1e309",
    }
    for f, t in seeds.items():
        put("sequence", f, t)


# ---------------------------------------------------------------- npy
def npy_image(descr, shape, values, fortran=False, version=(1, 0), pack=None):
    shape_txt = "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
    d = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, "True" if fortran else "False", shape_txt)
    lenfmt, prefix = ("<H", 10) if version[0] == 1 else ("<I", 12)
    total = prefix + len(d) + 1
    d += " " * ((64 - total % 64) % 64) + "\n"
    head = b"\x93NUMPY" + bytes(version) + struct.pack(lenfmt, len(d)) + d.encode("latin-1")
    if pack is None:
        endian = ">" if descr[0] == ">" else "<"
        pack = endian + str(len(values)) + ("d" if descr[-1] == "8" else "f")
    return head + struct.pack(pack, *values)


def npy():
    copy("npy", "torch-x.npy", "tests/fixtures/torch/self_n1_e4_h1/x.npy")
    copy("npy", "torch-weights.npy", "tests/fixtures/torch/self_n5_e8_h2/expected_weights.npy")
    put("npy", "f4-2d.npy", npy_image("<f4", (2, 3), [1, 2, 3, 4, 5, 6]))
    put("npy", "f8-1d.npy", npy_image("<f8", (4,), [1.5, -2, 0, 1e-300]))
    put("npy", "be-f4.npy", npy_image(">f4", (2, 2), [1, 2, 3, 4]))
    put("npy", "be-f8.npy", npy_image(">f8", (3,), [1, 2, 3]))
    put("npy", "fortran.npy", npy_image("<f4", (2, 3), [1, 4, 2, 5, 3, 6], fortran=True))
    put("npy", "v2.npy", npy_image("<f4", (2,), [1, 2], version=(2, 0)))
    put("npy", "v3.npy", npy_image("<f4", (1, 1), [9], version=(3, 0)))
    put("npy", "scalar.npy", npy_image("<f4", (), [3]))
    put("npy", "3d.npy", npy_image("<f4", (2, 1, 2), [1, 2, 3, 4]))
    put("npy", "zero-dim.npy", npy_image("<f4", (0, 3), []))
    put("npy", "int.npy", npy_image("<i4", (2,), [1, 2], pack="<2i"))
    put("npy", "nan.npy", npy_image("<f4", (2,), [float("nan"), 1]))
    put("npy", "short-data.npy", npy_image("<f4", (3,), [1, 2]))
    put("npy", "bad-magic.npy", b"\x93NUMPZ\x01\x00\x00\x00")


# ---------------------------------------------------------------- sessions
def session():
    full = {
        "format": "attnscope-session", "version": 1,
        "input": {"type": "text", "text": "The quick brown fox", "tokenizer": "word", "positions": True},
        "mechanism": {"score": "scaled-dot", "norm": "softmax", "temperature": 1.0, "scope": "local",
                      "window": 2, "global_tokens": 1, "causal": True, "padded_keys": [0, 2], "heads": 2,
                      "dim": 8, "projection": "random", "seed": 42, "dynamic": "gate",
                      "combine": "weighted-sum", "top_k": 0, "keep_scores": False},
        "view": {"view": "heads", "layer": 0, "head": -1, "colormap": "viridis", "range": "shared",
                 "selected_query": 1, "compare": {"score": "dot", "norm": "sigmoid"}},
    }
    put("session", "full.attnscope", json.dumps(full, indent=2, ensure_ascii=False))
    cross = {"format": "attnscope-session", "version": 1,
             "input": {"type": "sequence", "text": "1,2,3,4", "queries": {"type": "sequence", "text": "5,6"}},
             "mechanism": {"score": "additive", "norm": "ratio", "projection": "identity", "combine": "soft-selection"}}
    put("session", "cross.attnscope", json.dumps(cross))
    files = {"format": "attnscope-session", "version": 1,
             "input": {"type": "sequence-file", "path": "/tmp/x.csv",
                       "queries": {"type": "text-file", "path": "q.txt"}},
             "mechanism": {"projection": "file", "projection_file": "w.safetensors", "dynamic": "temperature",
                           "scope": "hybrid", "combine": "element-wise"}}
    put("session", "files.attnscope", json.dumps(files))
    model = {"format": "attnscope-session", "version": 1,
             "input": {"type": "model", "path": "stories260k", "text": "Once upon a time", "tokenizer": "character"},
             "mechanism": {"score": "cosine", "norm": "sigmoid"}, "view": {"view": "lines"}}
    put("session", "model.attnscope", json.dumps(model))
    put("session", "newer.attnscope",
        '{"format": "attnscope-session", "version": 99, "input": {"type": "text", "text": "a"}, "mechanism": {}}')
    put("session", "wrong-format.attnscope", '{"format": "other", "version": 1}')
    put("session", "bad-types.attnscope",
        '{"format":"attnscope-session","version":1,"input":{"type":"text","text":1},'
        '"mechanism":{"heads":"two","padded_keys":[-1,"x"]},"view":{"layer":"x"}}')
    put("session", "unknown-key.attnscope",
        '{"format":"attnscope-session","version":1,"input":{"type":"text","bogus":1},"mechanism":{"zzz":0}}')
    put("session", "not-json.attnscope", '{"format": "attnscope-session", ')
    put("session", "unicode.attnscope", json.dumps(
        {"format": "attnscope-session", "version": 1, "input": {"type": "text", "text": "注意力 \\u00e9 \ud83d\ude00"},
         "mechanism": {}}, ensure_ascii=True))


# ---------------------------------------------------------------- text tokenizer
def text_tokenizer():
    seeds = {
        "english.txt": "The quick brown fox jumps over the lazy dog, doesn't it? Well-known.",
        "cjk.txt": "注意力机制是深度学习的核心。日本語のテキスト、カタカナ。",
        "specials.txt": "[CLS] hello [SEP] <pad> <s> </s> [PAD] [MASK] <unk>",
        "punct.txt": "a--b 'quoted' -dash- it's... (x) {y} [z] \"q\" 1.5e3 $100 50%",
        "whitespace.txt": " \t\n\r\u00a0\u3000 a \u2003b\u200b",
        "emoji.txt": "smile \U0001F600 family \U0001F468\u200D\U0001F469 flag \U0001F1EB\U0001F1F7 e\u0301",
        "empty.txt": "",
    }
    for f, t in seeds.items():
        put("text_tokenizer", f, t)
    put("text_tokenizer", "invalid-utf8.txt", b"ok \xff\xfe bad \xc3 trunc \xe6\xb3 \xed\xa0\x80 surrogate \xf4\x90\x80\x80")
    put("text_tokenizer", "brackets.txt", "[unclosed <also [a]b <x>y [] <>")


# ---------------------------------------------------------------- Hugging Face tokenizers
HF_FIXTURES = os.path.join(ROOT, "tests", "fixtures", "hf_tokenizers")
HF_TEXTS = {
    "english": "Once upon a time, there was a little girl named Lily. She didn't play.",
    "accents": "Café naïve résumé ÉCOLE Straße e\u0301 İstanbul ǅ",
    "cjk": "東京は日本の首都です。我爱北京天安门，한국어",
    "emoji": "emoji \U0001F600\U0001F44D\U0001F3FD \U0001F468\u200D\U0001F469",
    "whitespace": "  a  b\t\tc\n\nd \u00a0\u3000\u2028 end  ",
    "specials": "[CLS] x [SEP] <|endoftext|> <s> </s> [UNK]",
    "control": "a\u0000b\u0007c\u200b\ufeffd",
    "empty": "",
}


def hf_read(*parts):
    with open(os.path.join(HF_FIXTURES, *parts), "rb") as f:
        return f.read()


def with_text(text, rest, prefix=b""):
    t = text.encode("utf-8") if isinstance(text, str) else text
    return prefix + struct.pack("<H", len(t)) + t + rest


def hf_wordpiece():
    vocab = hf_read("bert", "vocab.txt")
    for name, text in HF_TEXTS.items():
        put("wordpiece", "bert-%s.bin" % name, with_text(text, vocab, bytes([0x0F])))
        put("wordpiece", "fixed-%s.bin" % name, bytes([0x89]) + text.encode("utf-8"))
    put("wordpiece", "bert-cased.bin", with_text(HF_TEXTS["accents"], vocab, bytes([0x08])))
    put("wordpiece", "bert-invalid-utf8.bin", with_text(b"ok \xff bad \xe4\xb8", vocab, bytes([0x0F])))
    put("wordpiece", "long-word.bin", with_text("x" * 150 + " " + "ab" * 60, b"[UNK]\nx\n##x\na\n##b\n", bytes([0x01])))
    put("wordpiece", "empty-vocab.bin", with_text("a", b"", bytes([0x01])))
    put("wordpiece", "no-unk.bin", with_text("a", b"a\nb\n", bytes([0x01])))
    words = [l for l in vocab.decode("utf-8").split("\n")[:-1]]
    tj = {"added_tokens": [{"id": 2, "content": "[CLS]", "special": True}],
          "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                         "strip_accents": None, "lowercase": True},
          "pre_tokenizer": {"type": "BertPreTokenizer"},
          "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                    "max_input_chars_per_word": 100, "vocab": {w: i for i, w in enumerate(words)}}}
    for name in ("accents", "cjk", "specials"):
        put("wordpiece", "json-%s.bin" % name, with_text(HF_TEXTS[name], json.dumps(tj).encode(), bytes([0x49])))
    put("wordpiece", "crlf-dup.bin", with_text("a b", b"[UNK]\r\na\r\na\r\n##b\r\n\r\n", bytes([0x01])))


def hf_bpe():
    vocab = hf_read("gpt2", "vocab.json")
    merges = hf_read("gpt2", "merges.txt")
    files = struct.pack("<H", len(vocab)) + vocab + merges
    for name, text in HF_TEXTS.items():
        put("bpe", "gpt2-%s.bin" % name, with_text(text, files, b"\x00"))
    for folder in ("llama", "gpt2json"):
        tj = hf_read(folder, "tokenizer.json")
        for name in ("english", "accents", "emoji", "whitespace", "specials"):
            put("bpe", "%s-%s.bin" % (folder, name), with_text(HF_TEXTS[name], tj, b"\x01"))
    small_vocab = json.dumps({"a": 0, "b": 1, "ab": 2, "\u0120": 3, "\u0120ab": 4, "<|endoftext|>": 5}).encode()
    small = struct.pack("<H", len(small_vocab)) + small_vocab + b"#version: 0.2\na b\n\u0120 ab\n".decode("unicode_escape").encode()
    put("bpe", "gpt2-small.bin", with_text("ab abab ba", small, b"\x00"))
    put("bpe", "gpt2-unknown-merge.bin", with_text("a", struct.pack("<H", 8) + b'{"a": 0}' + b"a c\n", b"\x00"))
    put("bpe", "gpt2-not-object.bin", with_text("a", struct.pack("<H", 6) + b"[1, 2]", b"\x00"))
    tiny = {
        "added_tokens": [{"id": 0, "content": "<unk>", "special": True}, {"id": 1, "content": "<s>", "special": True}],
        "normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "\u2581"},
                       {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}, {"type": "NFD"},
                       {"type": "Lowercase"}, {"type": "Strip", "strip_left": False, "strip_right": True}]},
        "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "first", "split": True},
        "model": {"type": "BPE", "unk_token": "<unk>", "fuse_unk": True, "byte_fallback": True, "ignore_merges": True,
                  "vocab": {"<unk>": 0, "<s>": 1, "\u2581": 2, "a": 3, "b": 4, "\u2581a": 5, "ab": 6, "\u2581ab": 7,
                            "<0x63>": 8},
                  "merges": [["\u2581", "a"], ["a", "b"], ["\u2581a", "b"]]}}
    put("bpe", "json-tiny.bin", with_text("ab Ba cc <s>dé", json.dumps(tiny).encode(), b"\x01"))
    bl = {"pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "ByteLevel", "add_prefix_space": True}]},
          "decoder": {"type": "ByteLevel"}, "model": {"vocab": {"a": 0, "\u0120": 1, "\u0120a": 2}, "merges": ["\u0120 a"]}}
    put("bpe", "json-bytelevel-untyped.bin", with_text("a a", json.dumps(bl).encode(), b"\x01"))
    put("bpe", "json-unigram.bin", with_text("a", b'{"model": {"type": "Unigram", "vocab": []}}', b"\x01"))
    put("bpe", "json-invalid.bin", with_text("a", b'{"model": ', b"\x01"))


def gguf_seeds():
    for name in ["metadata.gguf", "dequant_v2.gguf", "llama-Q4_0.gguf", "qwen2-Q8_0.gguf"]:
        copy("gguf", name, "tests/fixtures/gguf/" + name)
    put("gguf", "empty-v3.gguf", b"GGUF" + struct.pack("<IQQ", 3, 0, 0))
    put("gguf", "v2-one-f32.gguf", b"GGUF" + struct.pack("<IQQ", 2, 1, 0) + struct.pack("<Q", 1) + b"t"
        + struct.pack("<IQIQ", 1, 4, 0, 0) + b"\0" * 19 + struct.pack("<4f", 1, 2, 3, 4))
    for i, text in enumerate(["Hello world, the cat's 12345 \u4f60\u597d \U0001F999!\n\n  x", "I'LL don't   \r\n\t spaces  ",
                              "caf\u00e9 e\u0301 \u0661\u0662\u0663"]):
        put("regex_split", "choice%d.bin" % i, bytes([i]) + text.encode("utf-8"))
    put("regex_split", "own-pattern.bin", b"\x03(a+)+$\0" + b"a" * 40 + b"b")
    put("regex_split", "bad-pattern.bin", b"\x03(\\p{Zz}\0text")


if __name__ == "__main__":
    mermaid()
    safetensors()
    llama2c_checkpoint()
    llama2c_tokenizer()
    sequence()
    npy()
    session()
    text_tokenizer()
    hf_wordpiece()
    hf_bpe()
    gguf_seeds()
