// Cross-checks tests/fixtures/hf_tokenizers/{cases,random_cases}.json (made by make_hf_tokenizer_fixtures.py,
// a Python port of the Hugging Face algorithms) against Hugging Face's own JavaScript implementation,
// Tokenizers.js (npm @huggingface/tokenizers): llama, gpt2json, unigram and unigram_bytes from their
// tokenizer.json, bert as the tokenizer.json transformers' converter writes for BertTokenizerFast
// (BertNormalizer, BertPreTokenizer, WordPiece); normalization_cases.json for the two unigram ones. The
// unigram fixtures are also encoded with add_special_tokens (their TemplateProcessing post-processors). Run by hand, never by the build (needs node and the npm package in a scratch folder):
//   mkdir -p /tmp/tjs && (cd /tmp/tjs && npm install @huggingface/tokenizers@0.2.0)
//   TOKENIZERS_JS=/tmp/tjs/node_modules/@huggingface/tokenizers/dist/tokenizers.mjs \
//       node tests/tools/check_hf_fixtures_with_tokenizers_js.mjs
// Where Tokenizers.js is known to differ from the Rust and Python implementations, a difference is
// counted apart, not as a failure:
//   bert      CJK ideographs above U+FFFF (U+20000..): its CJK test looks at UTF-16 units, so "𠀀x" stays one word;
//             "Σ": it lower-cases whole strings (word-final Σ -> ς), Rust and transformers per character (σ)
//   gpt2json  U+FEFF / U+0085: JavaScript's \s contains U+FEFF and not U+0085; Oniguruma's \s is the
//             Unicode White_Space property (U+0085 in, U+FEFF out)
//   unigram_bytes  the same two characters in WhitespaceSplit (Rust's char::is_whitespace is White_Space);
//             and Tokenizers.js's Unigram has no byte_fallback (see withoutByteFallback below)
// 2026-11-22, Tokenizers.js 0.2.0: "cases.json: 101 agree, 1 known differences, 0 differ" and
// "random_cases.json: 552 agree, 48 known differences, 0 differ".
// 2026-12-07, Tokenizers.js 0.2.0, with the unigram fixtures: "cases.json: 205 agree, 33 known differences, 0 differ",
// "random_cases.json: 958 agree, 442 known differences, 0 differ", "normalization_cases.json: 52 agree,
// 40 known differences, 0 differ". Of the unigram_bytes known differences all but at most 72 (with U+FEFF/U+0085,
// 36 strings with and without special tokens) are checked to be exactly the byte_fallback collapse.
import fs from "fs";
import path from "path";
import { fileURLToPath } from "url";

const { Tokenizer } = await import(process.env.TOKENIZERS_JS ?? "@huggingface/tokenizers");
const F = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "hf_tokenizers") + "/";

function load(folder) {
    const tj = JSON.parse(fs.readFileSync(F + folder + "/tokenizer.json", "utf8"));
    let cfg = {};
    if (fs.existsSync(F + folder + "/tokenizer_config.json"))
        cfg = JSON.parse(fs.readFileSync(F + folder + "/tokenizer_config.json", "utf8"));
    return new Tokenizer(tj, cfg);
}

const vocabList = fs.readFileSync(F + "bert/vocab.txt", "utf8").split("\n").slice(0, -1);
const vocab = {};
vocabList.forEach((t, i) => (vocab[t] = i));
const bertJson = {
    version: "1.0", truncation: null, padding: null,
    added_tokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"].map((t) => ({
        id: vocab[t], content: t, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: "BertNormalizer", clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: null,
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: { type: "WordPiece", unk_token: "[UNK]", continuing_subword_prefix: "##", max_input_chars_per_word: 100, vocab },
};
const tokenizers = {
    bert: new Tokenizer(bertJson, { do_lower_case: true }), llama: load("llama"), gpt2json: load("gpt2json"),
    unigram: load("unigram"), unigram_bytes: load("unigram_bytes"),
};
// unigram_bytes: Tokenizers.js's Unigram has no byte_fallback, so a fused run of unknowns stays one <unk>
// (id 3) where tokenizers writes its <0xNN> pieces: such a case counts as a known difference only when
// Tokenizers.js gives exactly the fixture's ids with every run of byte pieces replaced by one <unk>.
const bytePieces = new Set(JSON.parse(fs.readFileSync(F + "unigram_bytes/tokenizer.json", "utf8")).model.vocab
    .map(([piece], id) => (/^<0x[0-9A-F]{2}>$/.test(piece) ? id : -1)).filter((id) => id >= 0));
const withoutByteFallback = (ids) =>
    ids.filter((id, i) => !(bytePieces.has(id) && i > 0 && bytePieces.has(ids[i - 1]))).map((id) => (bytePieces.has(id) ? 3 : id));
const known = {
    bert: (s) => /[\u{20000}-\u{3FFFF}]/u.test(s) || s.includes("Σ"),
    gpt2json: (s) => s.includes("\ufeff") || s.includes("\u0085"),
    llama: () => false,
    unigram: () => false,
    unigram_bytes: (s, fixture, got) => s.includes("\ufeff") || s.includes("\u0085")
        || (!s.includes("<0x") && fixture.some((id) => bytePieces.has(id))
            && JSON.stringify(got) === JSON.stringify(withoutByteFallback(fixture))),
};
// With add_special_tokens the post-processors' templates: "<s> $A </s>" (ids 0, 2) and "$A </s>".
const template = { unigram: (ids) => [0, ...ids, 2], unigram_bytes: (ids) => [...ids, 2] };

let failed = 0;
for (const file of ["cases.json", "random_cases.json", "normalization_cases.json"]) {
    const cases = JSON.parse(fs.readFileSync(F + file, "utf8")).cases;
    let agree = 0, knownDiff = 0, differ = 0;
    for (const [name, tok] of Object.entries(tokenizers)) {
        for (const c of cases) {
            if (!(name in c))
                continue;
            let ids;
            try {
                ids = tok.encode(c.text, { add_special_tokens: false }).ids;
            } catch (e) {
                ids = "error: " + e.message;
            }
            if (JSON.stringify(ids) === JSON.stringify(c[name])) {
                agree++;
            } else if (known[name](c.text, c[name], ids)) {
                knownDiff++;
            } else {
                differ++;
                console.log(name, JSON.stringify(c.text), "\n  Tokenizers.js", JSON.stringify(ids), "\n  fixture      ", JSON.stringify(c[name]));
            }
        }
    }
    for (const [name, wrap] of Object.entries(template)) {
        for (const c of cases) {
            const ids = tokenizers[name].encode(c.text, { add_special_tokens: true }).ids;
            if (JSON.stringify(ids) === JSON.stringify(wrap(c[name])))
                agree++;
            else if (known[name](c.text, wrap(c[name]), ids))
                knownDiff++;
            else {
                differ++;
                console.log(name, "(special tokens)", JSON.stringify(c.text), "\n  Tokenizers.js", JSON.stringify(ids));
            }
        }
    }
    console.log(`${file}: ${agree} agree, ${knownDiff} known differences, ${differ} differ`);
    failed += differ;
}
process.exit(failed ? 1 : 0);
