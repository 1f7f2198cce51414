#!/usr/bin/python3
"""Writes tests/fixtures/hf_tokenizers/: small but realistic Hugging Face tokenizer folders and the ids
an independent Python reference gives for a table of tricky strings. tests/core/tst_hf_tokenizers.cpp
checks the C++ tokenizers (core/WordPieceTokenizer, ByteLevelBpeTokenizer, TokenizerJsonBpe) against it.

Run:  /usr/bin/python3 tests/tools/make_hf_tokenizer_fixtures.py     (standard library only)

Neither `transformers` nor `tokenizers` (nor the `regex` module) is installed here, so the reference
algorithms are re-implemented from Hugging Face's Python source, kept as close to it as possible:
  bert/      vocab.txt + tokenizer_config.json; transformers' BertTokenizer = the per-character lower-casing
             of PreTrainedTokenizer.tokenize() + BasicTokenizer
             (_clean_text, _tokenize_chinese_chars, NFC, whitespace_tokenize, lower + _run_strip_accents,
             _run_split_on_punc) + WordpieceTokenizer (greedy longest match, "##", 100-char limit)
  gpt2/      vocab.json + merges.txt; transformers' GPT2Tokenizer (bytes_to_unicode, the pre-tokenising
             regex, bpe() merging every occurrence of the best pair). The regex runs on Python's `re`
             with \\p{L}, \\p{N} and \\s spelled out as character classes built from unicodedata
             (\\s = the Unicode White_Space property, as the `regex` module and Oniguruma use)
  llama/     tokenizer.json in Llama 2's layout (normalizer Prepend "▁" + Replace " " -> "▁", no
             pre-tokenizer, BPE with byte_fallback and fuse_unk, merges as "a b" strings); the reference is
             tokenizers' BPE::merge_word + Word::merge_all (leftmost lowest-rank merge first)
  gpt2json/  the gpt2 vocabulary as a tokenizer.json (ByteLevel pre-tokenizer, merges as ["a", "b"] pairs),
             reference as for llama but with the ByteLevel pre-tokenizer
  unigram/   tokenizer.json in XLM-R's layout: normalizer NFKC + Replace {"Regex": " {2,}"} -> " " (NFKC standing in
             for SentencePiece's Precompiled charsmap), Metaspace (prepend_scheme always), Unigram with unk_id and
             no byte fallback, post_processor "<s> $A </s>", <mask> added; the reference is tokenizers'
             Unigram::encode_optimized (Viterbi over byte positions, first best kept, unknowns scored
             min score - K_UNK_PENALTY and fused) + Unigram::tokenize
  unigram_bytes/  T5's layout with byte fallback: NFC, WhitespaceSplit + Metaspace, "$A </s>", the same pieces
             followed by the 256 <0xNN> pieces
  normalization_cases.json: NFC/NFD/NFKC/NFKD of NORMALIZATION_CASES by unicodedata (Unicode 14.0 in Python
             3.11; characters assigned long before, so stable for utf8proc's newer tables), and their unigram ids
The vocabularies are trained here (plain BPE: most frequent pair, ties by the smaller pair, until every corpus word is one token or
the merge budget is spent) on a short
built-in multilingual text; a few characters (some emoji, rare CJK) are kept out so that [UNK] and byte
fallback show up. cases.json holds the strings and, per tokenizer, the ids (without special tokens);
random_cases.json the same for 200 random strings (fixed seed) drawn from pools of tricky characters.

Cross-check: tests/tools/check_hf_fixtures_with_tokenizers_js.mjs runs Hugging Face's JavaScript
implementation (Tokenizers.js) on the same files and strings (bert, llama, gpt2json; unigram and unigram_bytes
are recorded in that script's header): on 2026-11-22 every
ids list agreed except where Tokenizers.js itself departs from the Rust/Python implementations (CJK above
U+FFFF, word-final Σ, U+FEFF/U+0085 as whitespace; see that script). gpt2 equals gpt2json on every case.
On 2026-12-07 the same held for unigram and unigram_bytes (ids and, with add_special_tokens, the templates),
where unigram_bytes' differences are Tokenizers.js's missing Unigram byte_fallback and U+FEFF/U+0085.
"""
import collections
import json
import os
import re
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "fixtures", "hf_tokenizers"))

CORPUS = """Once upon a time, there was a little girl named Lily. She loved to play outside in the park.
One day, she saw a big, red ball! "Can I play with it?" she asked. Her mom said: "Yes, you can."
They're playing; we've seen it. I'll go, you'd stay, he's here and I'm there. Don't stop!
The café served crème brûlée, a naïve résumé of French cuisine. Über straße, señor niño, façade.
Numbers: 1, 2, 3, 42, 100, 2024, 3.14159, 1,000,000 and 7th or 21st.
東京は日本の首都です。我爱北京天安门。中文分词很有趣，对吧？
Привет, мир! Как дела? Ελληνικά: γειά σου κόσμε. Ωμέγα.
한국어 문장도 있어요. emoji 😀 and 👍 are fun. Tabs\tand\nnew lines, multiple   spaces.
playing played player plays replay display happily happiness unhappy running runner
"""

CASES = [
    "",
    "Hello, world!",
    "Once upon a time there was a little girl",
    "  leading and trailing  ",
    "multiple   spaces\tand\ttabs\nnew\nlines",
    "a  b   c    d",
    "\n\n\n",
    "   ",
    "tab\tseparated\tvalues\t",
    "Café naïve résumé crème brûlée",
    "ÉCOLE Straße ÜBER",
    "e\u0301 decomposed vs \u00e9 composed",
    "東京は日本の首都です。",
    "我爱北京天安门，中文！",
    "Korean 한국어 문장",
    "emoji 😀👍🏽 and 🤖",
    "don't I'll we've they're she's it'd I'm",
    "DON'T SHOUT'S",
    "punctuation!!! ??? ... --- ;;",
    "(brackets) [square] {curly} <angle>",
    "numbers 12345 3.14 1,000,000 7th",
    "mixed123abc abc123 ½ ① ²",
    "control\u0000chars\u0007here\u200b\ufeff",
    "Ωμέγα Ελληνικά γειά",
    "Привет, мир! Как дела?",
    "İstanbul ǅungla ﬁne",
    "email@example.com http://x.y/z?q=1&r=2",
    "\u3000full-width\u3000space ＡＢＣ！",
    "nbsp\u00a0here and\u2028line separator",
    "special [CLS] <|endoftext|> <s> tokens [SEP]",
    "x" * 120,
    "playing replayed unhappiness",
    "ΟΔΥΣΣΕΥΣ ΣΟΦΟΣ σοφός",
    "\U00020000x \U0002A700y \u4e00z",
]


# ------------------------------------------------------------------ Unicode classes for `re`
def ranges_where(pred):
    out, start = [], None
    for cp in range(0x110001):
        ok = cp <= 0x10FFFF and not (0xD800 <= cp <= 0xDFFF) and pred(chr(cp))
        if ok and start is None:
            start = cp
        elif not ok and start is not None:
            out.append((start, cp - 1))
            start = None
    return out


def char_class(ranges, negate=False):
    body = "".join("\\U%08x-\\U%08x" % (a, b) if a != b else "\\U%08x" % a for a, b in ranges)
    return "[" + ("^" if negate else "") + body + "]"


WHITE_SPACE = [(0x09, 0x0D), (0x20, 0x20), (0x85, 0x85), (0xA0, 0xA0), (0x1680, 0x1680), (0x2000, 0x200A),
               (0x2028, 0x2029), (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000)]
LETTERS = ranges_where(lambda c: unicodedata.category(c).startswith("L"))
NUMBERS = ranges_where(lambda c: unicodedata.category(c).startswith("N"))
L, N, S = char_class(LETTERS), char_class(NUMBERS), char_class(WHITE_SPACE)
NOT_S = char_class(WHITE_SPACE, negate=True)
OTHER = char_class(WHITE_SPACE + LETTERS + NUMBERS, negate=True)
GPT2_PAT = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?%s+| ?%s+| ?%s+|%s+(?!%s)|%s+""" % (L, N, OTHER, S, NOT_S, S))


# ------------------------------------------------------------------ GPT-2 (transformers' GPT2Tokenizer)
def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(2**8):
        if b not in bs:
            bs.append(b)
            cs.append(2**8 + n)
            n += 1
    return dict(zip(bs, [chr(n) for n in cs]))


BYTE_ENCODER = bytes_to_unicode()


def get_pairs(word):
    return set(zip(word, word[1:]))


def train_bpe(words, n_merges):
    """words: Counter of tuples of symbols. Returns the merges in order."""
    words = dict(words)
    merges = []
    for _ in range(n_merges):
        pairs = collections.Counter()
        for w, c in words.items():
            for p in zip(w, w[1:]):
                pairs[p] += c
        if not pairs:
            break
        best = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        merges.append(best)
        new = {}
        for w, c in words.items():
            out, i = [], 0
            while i < len(w):
                if i + 1 < len(w) and (w[i], w[i + 1]) == best:
                    out.append(w[i] + w[i + 1])
                    i += 2
                else:
                    out.append(w[i])
                    i += 1
            new[tuple(out)] = new.get(tuple(out), 0) + c
        words = new
    return merges


class Gpt2Reference:
    def __init__(self, encoder, merges, special_tokens):
        self.encoder = encoder
        self.bpe_ranks = dict(zip(merges, range(len(merges))))
        self.special = sorted(special_tokens, key=len, reverse=True)

    def bpe(self, token):
        word = tuple(token)
        pairs = get_pairs(word)
        if not pairs:
            return token
        while True:
            bigram = min(pairs, key=lambda pair: self.bpe_ranks.get(pair, float("inf")))
            if bigram not in self.bpe_ranks:
                break
            first, second = bigram
            new_word = []
            i = 0
            while i < len(word):
                try:
                    j = word.index(first, i)
                except ValueError:
                    new_word.extend(word[i:])
                    break
                else:
                    new_word.extend(word[i:j])
                    i = j
                if word[i] == first and i < len(word) - 1 and word[i + 1] == second:
                    new_word.append(first + second)
                    i += 2
                else:
                    new_word.append(word[i])
                    i += 1
            word = tuple(new_word)
            if len(word) == 1:
                break
            pairs = get_pairs(word)
        return " ".join(word)

    def encode(self, text):
        ids = []
        for piece, special in split_special(text, self.special):
            if special:
                ids.append(self.encoder[piece])
                continue
            for token in GPT2_PAT.findall(piece):
                token = "".join(BYTE_ENCODER[b] for b in token.encode("utf-8"))
                ids.extend(self.encoder.get(t, self.encoder.get("<|endoftext|>")) for t in self.bpe(token).split(" "))
        return ids


def split_special(text, specials):
    """Leftmost, longest match of the special tokens (the trie of transformers / tokenizers)."""
    out, plain, i = [], 0, 0
    while i < len(text):
        for s in specials:
            if text.startswith(s, i):
                if i > plain:
                    out.append((text[plain:i], False))
                out.append((s, True))
                i += len(s)
                plain = i
                break
        else:
            i += 1
    if plain < len(text):
        out.append((text[plain:], False))
    return out


def make_gpt2():
    words = collections.Counter()
    for token in GPT2_PAT.findall(CORPUS):
        words[tuple(BYTE_ENCODER[b] for b in token.encode("utf-8"))] += 1
    merges = train_bpe(words, 450)
    alphabet = list(bytes_to_unicode().values())
    vocab = {}
    for ch in alphabet:
        vocab[ch] = len(vocab)
    for a, b in merges:
        if a + b not in vocab:
            vocab[a + b] = len(vocab)
    vocab["<|endoftext|>"] = len(vocab)
    return vocab, merges


# ------------------------------------------------------------------ tokenizers' BPE (tokenizer.json)
class TokenizersBpeReference:
    def __init__(self, vocab, merges, unk, byte_fallback, fuse_unk, specials):
        self.vocab = vocab
        self.merges = {(vocab[a], vocab[b]): (rank, vocab[a + b]) for rank, (a, b) in enumerate(merges)}
        self.unk, self.byte_fallback, self.fuse_unk = unk, byte_fallback, fuse_unk
        self.specials = sorted(specials, key=len, reverse=True)

    def merge_word(self, w):
        symbols, unk = [], None
        for ch in w:
            if ch in self.vocab:
                if unk is not None:
                    symbols.append(unk)
                    unk = None
                symbols.append(self.vocab[ch])
                continue
            if self.byte_fallback:
                codes = ["<0x%02X>" % b for b in ch.encode("utf-8")]
                if all(c in self.vocab for c in codes):
                    symbols.extend(self.vocab[c] for c in codes)
                    continue
            if self.unk is not None:
                if unk is not None and not self.fuse_unk:
                    symbols.append(unk)
                if unk is None or not self.fuse_unk:
                    unk = self.vocab[self.unk]
        if unk is not None:
            symbols.append(unk)
        # Word::merge_all: repeatedly the lowest (rank, position) pair.
        while True:
            best = None
            for i in range(len(symbols) - 1):
                m = self.merges.get((symbols[i], symbols[i + 1]))
                if m is not None and (best is None or m[0] < best[0]):
                    best = (m[0], i, m[1])
            if best is None:
                return symbols
            _, i, new = best
            symbols[i:i + 2] = [new]

    def encode(self, text, normalize, pre_tokenize):
        ids = []
        for piece, special in split_special(text, self.specials):
            if special:
                ids.append(self.vocab[piece])
                continue
            for word in pre_tokenize(normalize(piece)):
                ids.extend(self.merge_word(word))
        return ids


def llama_normalize(s):
    return ("▁" + s).replace(" ", "▁") if s else s


def byte_level_pre_tokenize(s):
    return ["".join(BYTE_ENCODER[b] for b in t.encode("utf-8")) for t in GPT2_PAT.findall(s)]


LLAMA_EXCLUDED = set("🤖👍😀安门")  # left to byte fallback


def make_llama():
    words = collections.Counter()
    for line in CORPUS.split("\n"):
        text = llama_normalize(line)
        for w in re.findall("▁?[^▁]+|▁", text):
            if not any(c in LLAMA_EXCLUDED for c in w):
                words[tuple(w)] += 1
    merges = train_bpe(words, 400)
    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2}
    for b in range(256):
        vocab["<0x%02X>" % b] = len(vocab)
    chars = sorted(set(c for w in words for c in w))
    for c in chars:
        vocab[c] = len(vocab)
    for a, b in merges:
        if a + b not in vocab:
            vocab[a + b] = len(vocab)
    return vocab, merges


def llama_tokenizer_json(vocab, merges):
    added = [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for t, i in (("<unk>", 0), ("<s>", 1), ("</s>", 2))]
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Prepend", "prepend": "▁"},
            {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
        "pre_tokenizer": None,
        "post_processor": {"type": "TemplateProcessing",
                           "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                           "pair": [], "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}},
        "decoder": {"type": "Sequence", "decoders": [
            {"type": "Replace", "pattern": {"String": "▁"}, "content": " "}, {"type": "ByteFallback"},
            {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
        "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": True, "ignore_merges": False,
                  "vocab": vocab, "merges": ["%s %s" % m for m in merges]},
    }


def gpt2_tokenizer_json(vocab, merges):
    eot = vocab["<|endoftext|>"]
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": eot, "content": "<|endoftext|>", "single_word": False, "lstrip": False,
                          "rstrip": False, "normalized": True, "special": True}],
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": [[a, b] for a, b in merges]},
    }


# ------------------------------------------------------------------ tokenizers' Unigram (tokenizer.json)
UNIGRAM_SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"]  # XLM-R's first ids
UNIGRAM_EXCLUDED = set("🤖👍安门ñ")  # no one-character piece: unknown alone, covered inside longer pieces
K_UNK_PENALTY = 10.0  # tokenizers/src/models/unigram/model.rs
UNIGRAM_PIECES = 300
WHITE_SPACE_CHARS = set(chr(c) for a, b in WHITE_SPACE for c in range(a, b + 1))


def nfkc_collapse_spaces(s):
    """The unigram fixture's normalizer: NFKC, then Replace {"Regex": " {2,}"} -> " "."""
    return re.sub(" {2,}", " ", unicodedata.normalize("NFKC", s))


def metaspace(s):
    """Metaspace(replacement "▁", prepend_scheme "always", split true) on one piece."""
    if not s:
        return []
    s = s.replace(" ", "▁")
    if not s.startswith("▁"):
        s = "▁" + s
    return [w for w in re.findall("▁[^▁]*|[^▁]+", s) if w]


def whitespace_split(s):
    """WhitespaceSplit: split on White_Space (Rust's char::is_whitespace), which is dropped."""
    out, cur = [], ""
    for c in s:
        if c in WHITE_SPACE_CHARS:
            if cur:
                out.append(cur)
            cur = ""
        else:
            cur += c
    if cur:
        out.append(cur)
    return out


def make_unigram_pieces():
    """[piece, score] list: the specials, every corpus character but the excluded ones, and the most
    frequent substrings (up to 6 characters) of the Metaspace words of the NFKC corpus; score = log of
    the relative count, rounded to 4 decimals (some ties on purpose)."""
    import math
    counts, chars = collections.Counter(), collections.Counter()
    for line in CORPUS.split("\n"):
        for word in metaspace(nfkc_collapse_spaces(line)):
            for c in word:
                chars[c] += 1
            for i in range(len(word)):
                for j in range(i + 2, min(len(word), i + 6) + 1):
                    counts[word[i:j]] += 1
    chosen = [w for w, n in sorted(counts.items(), key=lambda kv: (-kv[1] * len(kv[0]), kv[0])) if n >= 2]
    chosen = chosen[:UNIGRAM_PIECES]
    for extra in ("天安门", "👍🏽", "ño", "2024", "e\u0301", "▁e\u0301"):  # pieces over excluded/combining characters
        if extra not in chosen:
            chosen.append(extra)
    total = sum(counts[w] for w in chosen) + sum(chars.values())
    pieces = [[t, 0.0] for t in UNIGRAM_SPECIALS]
    for c in sorted(chars):
        if c not in UNIGRAM_EXCLUDED:
            pieces.append([c, round(math.log(chars[c] / total), 4)])
    for w in chosen:
        pieces.append([w, round(math.log(max(counts[w], 1) / total) + 0.5 * (len(w) - 1), 4)])
    return pieces


class TokenizersUnigramReference:
    """tokenizers' Unigram: encode_optimized (Viterbi over byte positions, first best kept, unknown
    characters with min score - K_UNK_PENALTY, fused) and tokenize (ids, byte fallback of a fused run)."""

    def __init__(self, pieces, unk_id, byte_fallback, specials, special_ids):
        self.pieces = pieces
        self.token_to_id = {}
        for i, (t, _) in enumerate(pieces):
            self.token_to_id[t] = i
        self.min_score = min(s for _, s in pieces)
        self.unk_id, self.byte_fallback = unk_id, byte_fallback
        self.trie = set(t.encode("utf-8") for t, _ in pieces if t)
        self.max_len = max(len(t) for t in self.trie)
        self.specials = sorted(specials, key=len, reverse=True)
        self.special_ids = special_ids

    def segment(self, sentence):
        b = sentence.encode("utf-8")
        size = len(b)
        unk_score = self.min_score - K_UNK_PENALTY
        best = [[None, 0.0, None] for _ in range(size + 1)]  # id, score, starts_at
        starts_at = 0
        while starts_at < size:
            here = best[starts_at][1]
            mblen = len(b[starts_at:].decode("utf-8", errors="ignore")[0].encode("utf-8"))
            single = False
            for key_pos in range(starts_at + 1, min(size, starts_at + self.max_len) + 1):
                tok = b[starts_at:key_pos]
                if tok not in self.trie:
                    continue
                i = self.token_to_id[tok.decode("utf-8")]
                cand = self.pieces[i][1] + here
                node = best[key_pos]
                if node[2] is None or cand > node[1]:
                    best[key_pos] = [i, cand, starts_at]
                if key_pos - starts_at == mblen:
                    single = True
            if not single:
                if self.unk_id is None:
                    raise ValueError("unk")
                cand = unk_score + here
                node = best[starts_at + mblen]
                if node[2] is None or cand > node[1]:
                    best[starts_at + mblen] = [self.unk_id, cand, starts_at]
            starts_at += mblen
        results, token, ends_at = [], [], size
        while ends_at > 0:
            i, _, s = best[ends_at]
            if self.unk_id is not None and i == self.unk_id:
                token.append(b[s:ends_at])
            else:
                if token:
                    results.append(b"".join(reversed(token)))
                    token = []
                results.append(b[s:ends_at])
            ends_at = s
        if token:
            results.append(b"".join(reversed(token)))
        return [r.decode("utf-8") for r in reversed(results)]

    def tokenize(self, word):
        ids = []
        for piece in self.segment(word):
            if piece in self.token_to_id:
                ids.append(self.token_to_id[piece])
                continue
            if self.byte_fallback:
                codes = ["<0x%02X>" % x for x in piece.encode("utf-8")]
                if all(c in self.token_to_id for c in codes):
                    ids.extend(self.token_to_id[c] for c in codes)
                    continue
            ids.append(self.unk_id)
        return ids

    def encode(self, text, normalize, pre_tokenize):
        ids = []
        for piece, special in split_special(text, self.specials):
            if special:
                ids.append(self.special_ids[piece])
                continue
            for word in pre_tokenize(normalize(piece)):
                ids.extend(self.tokenize(word))
        return ids


def unigram_tokenizer_json(pieces, byte_fallback, normalizer, pre_tokenizer, single, specials):
    ids = {t: i for i, (t, _) in enumerate(pieces)}
    added = [{"id": ids[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for t in specials]
    template = [{"Sequence": {"id": "A", "type_id": 0}} if t == "$A" else {"SpecialToken": {"id": t, "type_id": 0}}
                for t in single.split()]
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
        "normalizer": normalizer, "pre_tokenizer": pre_tokenizer,
        "post_processor": {"type": "TemplateProcessing", "single": template, "pair": template + template[1:],
                           "special_tokens": {t: {"id": t, "ids": [ids[t]], "tokens": [t]}
                                              for t in single.split() if t != "$A"}},
        "decoder": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": True},
        "model": {"type": "Unigram", "unk_id": 3, "vocab": pieces, "byte_fallback": byte_fallback},
    }


METASPACE_JSON = {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": True}


def make_unigram():
    """unigram/ (XLM-R's layout: NFKC + collapsed spaces, Metaspace, "<s> $A </s>", unknowns as <unk>) and
    unigram_bytes/ (T5's layout with byte fallback: NFC, WhitespaceSplit + Metaspace, "$A </s>", the same
    pieces and then the 256 <0xNN> pieces with score 0). <mask> is an added token after the pieces."""
    pieces = make_unigram_pieces()
    plain = pieces + [["<mask>", 0.0]]
    with_bytes = pieces + [["<0x%02X>" % b, 0.0] for b in range(256)]
    specials = UNIGRAM_SPECIALS + ["<mask>"]
    xlmr_norm = {"type": "Sequence", "normalizers": [
        {"type": "NFKC"}, {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}]}
    xlmr = unigram_tokenizer_json(plain, False, xlmr_norm, METASPACE_JSON, "<s> $A </s>", specials)
    t5 = unigram_tokenizer_json(with_bytes, True, {"type": "NFC"},
                                {"type": "Sequence", "pretokenizers": [{"type": "WhitespaceSplit"}, METASPACE_JSON]},
                                "$A </s>", UNIGRAM_SPECIALS)
    ref_xlmr = TokenizersUnigramReference(plain, 3, False, specials, {t: i for i, (t, _) in enumerate(plain)})
    ref_t5 = TokenizersUnigramReference(with_bytes, 3, True, UNIGRAM_SPECIALS,
                                        {t: i for i, (t, _) in enumerate(with_bytes)})
    encoders = {
        "unigram": lambda text: ref_xlmr.encode(text, nfkc_collapse_spaces, metaspace),
        "unigram_bytes": lambda text: ref_t5.encode(
            text, lambda s: unicodedata.normalize("NFC", s), lambda s: [w for x in whitespace_split(s) for w in metaspace(x)]),
    }
    return xlmr, t5, encoders


# Strings for the NFC/NFD/NFKC/NFKD normalisers (normalization_cases.json, with the unigram ids too):
# compatibility characters, composed and decomposed forms, canonical reordering, composition
# exclusions, Hangul syllables and jamo. All assigned long before Unicode 14, so Python's unicodedata
# (14.0 here) and utf8proc (15.0) agree by Unicode's normalisation stability policy.
NORMALIZATION_CASES = [
    "", "ﬁ ﬂ ﬀ ﬃ", "① ⑩ ⒜ ㈱", "²³ ½ x²", "Å \u212b A\u030a \u00c5", "e\u0301 \u00e9 e\u0301\u0323 e\u0323\u0301",
    "a\u0307\u0323 a\u0323\u0307 \u1e0b\u0323", "\u1100\u1161\u11a8 \uac00\u11a8 각 한국어", "\u0958 \u0915\u093c",
    "Ω \u2126 K \u212a", "ＡＢＣ１２３！ ｈｅｌｌｏ", "\u3000full\u3000width\u3000", "ﷺ ㍿ … ™", "\uf900\uf901 豈",
    "ǅ ǈ Ǳ", "\u1e9b\u0323", "control\u0000nul", "🇫🇷 👨\u200d👩 👍🏽", "2024 ٣٤ ４２", "ñ n\u0303 Ñ",
    "天安门 安 门 🤖 👍", "many     spaces   here", "<mask> masked <s> x </s>",
]


# ------------------------------------------------------------------ BERT (transformers' BertTokenizer)
def _is_whitespace(char):
    if char == " " or char == "\t" or char == "\n" or char == "\r":
        return True
    return unicodedata.category(char) == "Zs"


def _is_control(char):
    if char == "\t" or char == "\n" or char == "\r":
        return False
    return unicodedata.category(char).startswith("C")


def _is_punctuation(char):
    cp = ord(char)
    if (cp >= 33 and cp <= 47) or (cp >= 58 and cp <= 64) or (cp >= 91 and cp <= 96) or (cp >= 123 and cp <= 126):
        return True
    return unicodedata.category(char).startswith("P")


def _is_chinese_char(cp):
    return ((cp >= 0x4E00 and cp <= 0x9FFF) or (cp >= 0x3400 and cp <= 0x4DBF) or (cp >= 0x20000 and cp <= 0x2A6DF)
            or (cp >= 0x2A700 and cp <= 0x2B73F) or (cp >= 0x2B740 and cp <= 0x2B81F)
            or (cp >= 0x2B820 and cp <= 0x2CEAF) or (cp >= 0xF900 and cp <= 0xFAFF)
            or (cp >= 0x2F800 and cp <= 0x2FA1F))


def whitespace_tokenize(text):
    text = text.strip()
    return text.split() if text else []


class BasicTokenizer:
    def __init__(self, do_lower_case=True, tokenize_chinese_chars=True, strip_accents=None):
        self.do_lower_case = do_lower_case
        self.tokenize_chinese_chars = tokenize_chinese_chars
        self.strip_accents = strip_accents

    def tokenize(self, text):
        text = self._clean_text(text)
        if self.tokenize_chinese_chars:
            text = self._tokenize_chinese_chars(text)
        text = unicodedata.normalize("NFC", text)
        split_tokens = []
        for token in whitespace_tokenize(text):
            if self.do_lower_case:
                token = token.lower()
                if self.strip_accents is not False:
                    token = self._run_strip_accents(token)
            elif self.strip_accents:
                token = self._run_strip_accents(token)
            split_tokens.extend(self._run_split_on_punc(token))
        return whitespace_tokenize(" ".join(split_tokens))

    def _run_strip_accents(self, text):
        text = unicodedata.normalize("NFD", text)
        return "".join(c for c in text if unicodedata.category(c) != "Mn")

    def _run_split_on_punc(self, text):
        chars = list(text)
        i, start_new_word, output = 0, True, []
        while i < len(chars):
            char = chars[i]
            if _is_punctuation(char):
                output.append([char])
                start_new_word = True
            else:
                if start_new_word:
                    output.append([])
                start_new_word = False
                output[-1].append(char)
            i += 1
        return ["".join(x) for x in output]

    def _tokenize_chinese_chars(self, text):
        output = []
        for char in text:
            if _is_chinese_char(ord(char)):
                output += [" ", char, " "]
            else:
                output.append(char)
        return "".join(output)

    def _clean_text(self, text):
        output = []
        for char in text:
            cp = ord(char)
            if cp == 0 or cp == 0xFFFD or _is_control(char):
                continue
            output.append(" " if _is_whitespace(char) else char)
        return "".join(output)


class WordpieceTokenizer:
    def __init__(self, vocab, unk_token, max_input_chars_per_word=100):
        self.vocab, self.unk_token, self.max_input_chars_per_word = vocab, unk_token, max_input_chars_per_word

    def tokenize(self, text):
        output_tokens = []
        for token in whitespace_tokenize(text):
            chars = list(token)
            if len(chars) > self.max_input_chars_per_word:
                output_tokens.append(self.unk_token)
                continue
            is_bad, start, sub_tokens = False, 0, []
            while start < len(chars):
                end, cur_substr = len(chars), None
                while start < end:
                    substr = "".join(chars[start:end])
                    if start > 0:
                        substr = "##" + substr
                    if substr in self.vocab:
                        cur_substr = substr
                        break
                    end -= 1
                if cur_substr is None:
                    is_bad = True
                    break
                sub_tokens.append(cur_substr)
                start = end
            output_tokens.extend([self.unk_token] if is_bad else sub_tokens)
        return output_tokens


RANDOM_COUNT = 200

BERT_SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
BERT_EXCLUDED = set("😀👍安门")  # become [UNK]


def make_bert():
    basic = BasicTokenizer()
    tokens = [t for t in basic.tokenize(CORPUS) if not any(c in BERT_EXCLUDED for c in t)]
    counts = collections.Counter(tokens)
    vocab = list(BERT_SPECIALS)
    chars = sorted(set(c for t in tokens for c in t))
    vocab += chars
    vocab += ["##" + c for c in chars]
    vocab += [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if len(w) > 1][:120]
    vocab += ["##ing", "##ed", "##er", "##s", "##ly", "##ness", "##py", "##play", "un", "re", "##happi"]
    seen, out = set(), []
    for t in vocab:
        if t not in seen:
            seen.add(t)
            out.append(t)
    return out


def bert_encode(vocab_list, text):
    vocab = {t: i for i, t in enumerate(vocab_list)}
    basic = BasicTokenizer()
    wordpiece = WordpieceTokenizer(vocab, "[UNK]")
    ids = []
    for piece, special in split_special(text, BERT_SPECIALS):
        if special:
            ids.append(vocab[piece])
            continue
        # PreTrainedTokenizer.tokenize() lower-cases the text outside special tokens first, one
        # character at a time (re.sub with "(.+?)"), so a word-final capital sigma becomes σ, not ς
        # (as in tokenizers' BertNormalizer, which lower-cases per character too).
        piece = "".join(c.lower() for c in piece)
        for token in basic.tokenize(piece):
            ids.extend(vocab[t] for t in wordpiece.tokenize(token))
    return ids


# Random strings for random_cases.json: characters drawn from pools of every kind the tokenizers treat
# specially (Unicode whitespace, controls, format characters, combining marks, CJK in and outside the
# BMP, Hangul, kana, emoji with modifiers and ZWJ, full-width forms, ligatures, title case,
# contractions, special tokens, corpus words).
RANDOM_POOLS = [
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789", "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
    " ", "  \t\n\r\x0b\x0c", "\u00a0\u1680\u2000\u2003\u200a\u2028\u2029\u202f\u205f\u3000\u0085",
    "àáâãäåçèéêëìíîïñòóôõöùúûüýÿÀÉÎÕÜßæøœłđ", "\u0300\u0301\u0308\u0327\u0303", "αβγδεζηθΩΣάέήίόύώ",
    "абвгдежзийклмнопЖЯЁё", "東京日本首都我爱北京天安门中文分词", "한국어문장", "ひらがなカタカナ",
    "😀👍🏽🤖👨\u200d👩🇫🇷", "\x00\x01\x07\x1b\x1c\x1f\x7f\x80\x9f", "\u200b\u200c\u200d\u200e\ufeff\u00ad",
    "€©®½①²™°", "ＡＢＣ１２３！？", "İǅǈǋﬁﬀ", ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "n't"],
    ["[CLS]", "[SEP]", "<s>", "</s>", "<unk>", "<|endoftext|>", "[MASK]"],
    ["the", "little", "girl", "played", "happily", "Once", "upon"], "\U00020000\U0002A700\uf900\u3400\U0002F800",
]


def random_strings(count, seed=2026):
    import random
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        out.append("".join(rng.choice(rng.choice(RANDOM_POOLS)) for _ in range(rng.randint(1, 24))))
    return out


# ------------------------------------------------------------------ output
def write(path, data, binary=False):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        if isinstance(data, str):
            f.write(data)
        else:
            json.dump(data, f, ensure_ascii=False, indent=None, separators=(",", ":"))


def main():
    bert_vocab = make_bert()
    write(os.path.join(OUT, "bert", "vocab.txt"), "\n".join(bert_vocab) + "\n")
    write(os.path.join(OUT, "bert", "tokenizer_config.json"),
          {"do_lower_case": True, "tokenize_chinese_chars": True, "strip_accents": None,
           "unk_token": "[UNK]", "cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]",
           "mask_token": "[MASK]", "tokenizer_class": "BertTokenizer"})

    gpt2_vocab, gpt2_merges = make_gpt2()
    write(os.path.join(OUT, "gpt2", "vocab.json"), gpt2_vocab)
    write(os.path.join(OUT, "gpt2", "merges.txt"), "#version: 0.2\n" + "".join("%s %s\n" % m for m in gpt2_merges))
    write(os.path.join(OUT, "gpt2json", "tokenizer.json"), gpt2_tokenizer_json(gpt2_vocab, gpt2_merges))

    llama_vocab, llama_merges = make_llama()
    write(os.path.join(OUT, "llama", "tokenizer.json"), llama_tokenizer_json(llama_vocab, llama_merges))
    write(os.path.join(OUT, "llama", "tokenizer_config.json"),
          {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "add_bos_token": True,
           "tokenizer_class": "LlamaTokenizer"})

    gpt2 = Gpt2Reference(gpt2_vocab, gpt2_merges, ["<|endoftext|>"])
    gpt2json = TokenizersBpeReference(gpt2_vocab, gpt2_merges, None, False, False, ["<|endoftext|>"])
    llama = TokenizersBpeReference(llama_vocab, llama_merges, "<unk>", True, True, ["<unk>", "<s>", "</s>"])
    xlmr_json, t5_json, unigram_encoders = make_unigram()
    write(os.path.join(OUT, "unigram", "tokenizer.json"), xlmr_json)
    write(os.path.join(OUT, "unigram_bytes", "tokenizer.json"), t5_json)
    cases = []
    for text in CASES + random_strings(RANDOM_COUNT):
        case = {
            "text": text,
            "bert": bert_encode(bert_vocab, text),
            "gpt2": gpt2.encode(text),
            "gpt2json": gpt2json.encode(text, lambda s: s, byte_level_pre_tokenize),
            "llama": llama.encode(text, llama_normalize, lambda s: [s] if s else []),
        }
        for name, encode in unigram_encoders.items():
            case[name] = encode(text)
        cases.append(case)
    normalization = []
    for text in NORMALIZATION_CASES:
        case = {"text": text}
        for form in ("NFC", "NFD", "NFKC", "NFKD"):
            case[form] = unicodedata.normalize(form, text)
        for name, encode in unigram_encoders.items():
            case[name] = encode(text)
        normalization.append(case)
    with open(os.path.join(OUT, "normalization_cases.json"), "w", encoding="utf-8") as f:
        f.write('{"generator": "tests/tools/make_hf_tokenizer_fixtures.py (NORMALIZATION_CASES), unicodedata %s",\n'
                ' "cases": [\n' % unicodedata.unidata_version
                + ",\n".join(json.dumps(c, ensure_ascii=False, separators=(",", ":")) for c in normalization) + "\n]}\n")
    random_cases = cases[len(CASES):]
    cases = cases[:len(CASES)]
    with open(os.path.join(OUT, "random_cases.json"), "w", encoding="utf-8") as f:
        f.write('{"generator": "tests/tools/make_hf_tokenizer_fixtures.py (random_strings)",\n "cases": [\n'
                + ",\n".join(json.dumps(c, ensure_ascii=False, separators=(",", ":")) for c in random_cases) + "\n]}\n")
    # One line per case and tokenizer, so that a diff shows which case changed.
    lines = []
    for case in cases:
        lines.append("  {" + ",\n   ".join("%s: %s" % (json.dumps(k), json.dumps(v, ensure_ascii=False))
                                          for k, v in case.items()) + "}")
    with open(os.path.join(OUT, "cases.json"), "w", encoding="utf-8") as f:
        f.write('{"generator": "tests/tools/make_hf_tokenizer_fixtures.py",\n "cases": [\n' + ",\n".join(lines) + "\n]}\n")
    print("bert %d tokens, gpt2 %d tokens / %d merges, llama %d tokens / %d merges, unigram %d pieces, %d cases" % (
        len(bert_vocab), len(gpt2_vocab), len(gpt2_merges), len(llama_vocab), len(llama_merges),
        len(xlmr_json["model"]["vocab"]), len(cases)))


if __name__ == "__main__":
    main()
