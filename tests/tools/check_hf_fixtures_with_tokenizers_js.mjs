// Cross-checks tests/fixtures/hf_tokenizers/cases.json (made by make_hf_tokenizer_fixtures.py, a Python
// port of the Hugging Face algorithms) against Hugging Face's own JavaScript implementation,
// Tokenizers.js (npm @huggingface/tokenizers): llama and gpt2json from their tokenizer.json, bert as the
// tokenizer.json transformers' converter writes for BertTokenizerFast (BertNormalizer, BertPreTokenizer,
// WordPiece). Run by hand, never by the build (needs node and the npm package in a scratch folder):
//   mkdir -p /tmp/tjs && (cd /tmp/tjs && npm install @huggingface/tokenizers@0.2.0)
//   TOKENIZERS_JS=/tmp/tjs/node_modules/@huggingface/tokenizers/dist/tokenizers.mjs \
//       node tests/tools/check_hf_fixtures_with_tokenizers_js.mjs
// 2026-11-22, Tokenizers.js 0.2.0: "96 agree, 0 differ".
import fs from "fs";
import path from "path";
import { fileURLToPath } from "url";

const { Tokenizer } = await import(process.env.TOKENIZERS_JS ?? "@huggingface/tokenizers");
const F = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "hf_tokenizers") + "/";
const cases = JSON.parse(fs.readFileSync(F + "cases.json", "utf8")).cases;
function load(folder) {
  const tj = JSON.parse(fs.readFileSync(F + folder + "/tokenizer.json", "utf8"));
  let cfg = {};
  try { cfg = JSON.parse(fs.readFileSync(F + folder + "/tokenizer_config.json", "utf8")); } catch (e) {}
  return new Tokenizer(tj, cfg);
}
// BERT as tokenizer.json (what transformers' converter writes for BertTokenizerFast)
const vocabList = fs.readFileSync(F + "bert/vocab.txt", "utf8").split("\n").slice(0, -1);
const vocab = {}; vocabList.forEach((t, i) => vocab[t] = i);
const bertJson = {
  version: "1.0", truncation: null, padding: null,
  added_tokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"].map(t => ({ id: vocab[t], content: t, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
  normalizer: { type: "BertNormalizer", clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
  pre_tokenizer: { type: "BertPreTokenizer" },
  post_processor: null, decoder: { type: "WordPiece", prefix: "##", cleanup: true },
  model: { type: "WordPiece", unk_token: "[UNK]", continuing_subword_prefix: "##", max_input_chars_per_word: 100, vocab },
};
const toks = { bert: new Tokenizer(bertJson, { do_lower_case: true }), llama: load("llama"), gpt2json: load("gpt2json") };
let bad = 0, total = 0;
for (const [name, tok] of Object.entries(toks)) {
  for (const c of cases) {
    total++;
    let ids;
    try { ids = tok.encode(c.text, { add_special_tokens: false }).ids; } catch (e) { ids = "ERROR " + e.message; }
    const exp = c[name];
    if (JSON.stringify(ids) !== JSON.stringify(exp)) {
      bad++;
      console.log(name, JSON.stringify(c.text), "\n  js  ", JSON.stringify(ids), "\n  ref ", JSON.stringify(exp));
    }
  }
}
console.log(`${total - bad} agree, ${bad} differ`);
process.exit(bad ? 1 : 0);
