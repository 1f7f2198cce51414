#pragma once
// A Hugging Face tokenizer read from a model folder, behind one interface:
//   WordPiece           vocab.txt (BERT: BasicTokenizer lower-casing/accent stripping per
//                       tokenizer_config.json, CJK characters split, punctuation split, "##" pieces)
//   byte-level BPE      vocab.json + merges.txt (GPT-2: its pre-tokenising regex, bytes -> unicode
//                       table, "Ġ" for a leading space)
//   BPE tokenizer.json  Llama-style ("▁" for spaces, merges, byte fallback <0xNN>) or GPT-2-style
//                       ByteLevel (TokenizerJsonBpe)
//   Unigram tokenizer.json  XLM-R / T5 / ALBERT: Viterbi over scored pieces (TokenizerJsonUnigram)
// load() picks by the files present: tokenizer.json, else vocab.json + merges.txt, else vocab.txt
// (a BERT folder's WordPiece tokenizer.json defers to its vocab.txt, and alone is read as
// BertTokenizerFast's; a path to one of these files stands for its folder); tokenizer_config.json /
// special_tokens_map.json give the special tokens. Every reader validates before trusting (sizes, ids inside
// the vocabulary, UTF-8), see TokenizerFiles.
#include "Expected.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace attn {

struct TokenizedText {
    std::vector<int> ids;
    std::vector<std::string> labels; // display label per id (e.g. "##ing", "Ġworld", "▁the", "[CLS]")
};

class HfTokenizer {
public:
    virtual ~HfTokenizer() = default;

    // Reads the tokenizer files of a model folder (see above); errors name the folder and what was missing.
    static Expected<std::unique_ptr<HfTokenizer>> load(const std::string& folder);

    virtual std::string kind() const = 0; // "WordPiece", "byte-level BPE", "BPE (tokenizer.json)", "Unigram (tokenizer.json)"
    virtual int vocabSize() const = 0;
    // The tokens of `text` without special tokens.
    virtual Expected<TokenizedText> encode(const std::string& text) const = 0;
    // As the model sees it: WordPiece adds [CLS] ... [SEP]; a tokenizer.json with a post_processor
    // that names special tokens (TemplateProcessing, RobertaProcessing, BertProcessing) gets them,
    // whatever addBos says (tokenizers' add_special_tokens); the other BPE kinds put the BOS token
    // first when addBos (a causal LM prompt gets BOS first, as llama2.c and HF Llama do).
    virtual Expected<TokenizedText> encodeForModel(const std::string& text, bool addBos) const = 0;
    // The bytes one token stands for, so that concatenating decode() over a sequence's ids gives
    // its text: byte-level tokens ("Ġworld") and byte fallback tokens (<0x0A>) give their raw bytes
    // (UTF-8 where the token holds whole characters; one token may hold part of a character, which
    // the next token completes), "▁" becomes " ", WordPiece drops the "##" of a continuation piece
    // (and adds no spaces), special tokens give their own text. An id out of range gives "".
    virtual std::string decode(int id) const = 0;
    virtual std::optional<int> tokenId(const std::string& token) const = 0;
    // The token encodeForModel puts first (BOS; [CLS] for WordPiece) and the end token (EOS; [SEP]),
    // when the vocabulary has them.
    virtual std::optional<int> bosId() const = 0;
    virtual std::optional<int> eosId() const = 0;

protected:
    // encodeForModel for the BPE kinds: encode(text), with `bos` (its id and label) first when
    // addBos; `missing` is the error when addBos and the vocabulary has no BOS.
    Expected<TokenizedText> encodeWithBos(const std::string& text, bool addBos, std::optional<int> bos,
        const std::string& bosLabel, const std::string& missing) const;
};

} // namespace attn
