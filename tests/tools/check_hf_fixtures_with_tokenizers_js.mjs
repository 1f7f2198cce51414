// Cross-checks tests/fixtures/hf_tokenizers/{cases,random_cases}.json (made by make_hf_tokenizer_fixtures.py,
// a Python port of the Hugging Face algorithms) against Hugging Face's own JavaScript implementation,
// Tokenizers.js (npm @huggingface/tokenizers): llama and gpt2json from their tokenizer.json, bert as the
// tokenizer.json transformers' converter writes for BertTokenizerFast (BertNormalizer, BertPreTokenizer,
// WordPiece). Run by hand, never by the build (needs node and the npm package in a scratch folder):
//   mkdir -p /tmp/tjs && (cd /tmp/tjs && npm install @huggingface/tokenizers@0.2.0)
//   TOKENIZERS_JS=/tmp/tjs/node_modules/@huggingface/tokenizers/dist/tokenizers.mjs \
//       node tests/tools/check_hf_fixtures_with_tokenizers_js.mjs
// Where Tokenizers.js is known to differ from the Rust and Python implementations, a difference is
// counted apart, not as a failure:
//   bert      CJK ideographs above U+FFFF (U+20000..): its CJK test looks at UTF-16 units, so "𠀀x" stays one word;
//             "Σ": it lower-cases whole strings (word-final Σ -> ς), Rust and transformers per character (σ)
//   gpt2json  U+FEFF / U+0085: JavaScript's \s contains U+FEFF and not U+0085; Oniguruma's \s is the
//             Unicode White_Space property (U+0085 in, U+FEFF out)
// 2026-11-22, Tokenizers.js 0.2.0: "cases.json: 101 agree, 1 known differences, 0 differ" and
// "random_cases.json: 552 agree, 48 known differences, 0 differ".
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
const tokenizers = { bert: new Tokenizer(bertJson, { do_lower_case: true }), llama: load("llama"), gpt2json: load("gpt2json") };
const known = {
    bert: (s) => /[\u{20000}-\u{3FFFF}]/u.test(s) || s.includes("Σ"),
    gpt2json: (s) => s.includes("\ufeff") || s.includes("\u0085"),
    llama: () => false,
};

let failed = 0;
for (const file of ["cases.json", "random_cases.json"]) {
    const cases = JSON.parse(fs.readFileSync(F + file, "utf8")).cases;
    let agree = 0, knownDiff = 0, differ = 0;
    for (const [name, tok] of Object.entries(tokenizers)) {
        for (const c of cases) {
            let ids;
            try {
                ids = tok.encode(c.text, { add_special_tokens: false }).ids;
            } catch (e) {
                ids = "error: " + e.message;
            }
            if (JSON.stringify(ids) === JSON.stringify(c[name])) {
                agree++;
            } else if (known[name](c.text)) {
                knownDiff++;
            } else {
                differ++;
                console.log(name, JSON.stringify(c.text), "\n  Tokenizers.js", JSON.stringify(ids), "\n  fixture      ", JSON.stringify(c[name]));
            }
        }
    }
    console.log(`${file}: ${agree} agree, ${knownDiff} known differences, ${differ} differ`);
    failed += differ;
}
process.exit(failed ? 1 : 0);
