#pragma once
// BERT's tokenizer (transformers' BertTokenizer = BasicTokenizer + WordpieceTokenizer) over vocab.txt
// (one token per line, id = line number, a repeated token keeps its last line as transformers does),
// or over the WordPiece tokenizer.json of BertTokenizerFast (the same steps as tokenizers runs them).
//   special tokens   [CLS], [SEP], [UNK], [PAD], [MASK] (or those of tokenizer_config.json) in the
//                    text are kept whole, never lower-cased or split
//   clean            U+0000, U+FFFD and control characters (category C*, except \t \n \r) dropped;
//                    whitespace (space, \t, \n, \r, category Zs) becomes " "
//   Chinese          each CJK ideograph (the code-point blocks of BERT's _is_chinese_char) gets
//                    spaces around it
//   words            split on whitespace (Python's str.split())
//   lower + accents  when do_lower_case: str.lower(), then NFD and drop the non-spacing marks (Mn);
//                    strip_accents true/false overrides the accent step
//   punctuation      every punctuation character (ASCII !-/ :-@ [-` {-~, or category P*) alone
//   WordPiece        greedy longest match first from the left, later pieces prefixed "##"; a word
//                    longer than 100 code points or with an unmatched rest becomes [UNK]
// Not done: transformers' BasicTokenizer also NFC-normalises the text first; that matters only for
// cased vocabularies (do_lower_case false) and decomposed input, and the fast tokenizer does not do it.
#include "AddedTokenSplitter.h"
#include "HfTokenizer.h"
#include "HfTokenizerConfig.h"
#include "TokenizerFiles.h"

#include <nlohmann/json_fwd.hpp>

namespace attn {

class WordPieceTokenizer : public HfTokenizer {
public:
    static constexpr int kMaxInputCharsPerWord = 100;

    // Reads vocab.txt (the folder's config may be default-constructed).
    static Expected<std::unique_ptr<WordPieceTokenizer>> readFile(
        const std::string& path, const HfTokenizerConfig& config);
    static Expected<std::unique_ptr<WordPieceTokenizer>> fromBytes(
        const std::string& vocabTxt, const HfTokenizerConfig& config, const std::string& name);
    // A tokenizer.json with a WordPiece model (BertTokenizerFast's: BertNormalizer, BertPreTokenizer,
    // "##", 100 characters); the normalizer's flags replace the config's do_lower_case & co.
    static Expected<std::unique_ptr<WordPieceTokenizer>> fromTokenizerJson(
        const nlohmann::json& json, const HfTokenizerConfig& config, const std::string& name);

    std::string kind() const override { return "WordPiece"; }
    int vocabSize() const override { return m_vocab.size(); }
    Expected<TokenizedText> encode(const std::string& text) const override;
    Expected<TokenizedText> encodeForModel(const std::string& text, bool addBos) const override;
    std::string decode(int id) const override;
    std::optional<int> tokenId(const std::string& token) const override { return m_vocab.id(token); }
    std::optional<int> bosId() const override; // [CLS]
    std::optional<int> eosId() const override; // [SEP]

    // The BasicTokenizer step alone: the words and punctuation before WordPiece (for tests).
    std::vector<std::string> basicTokenize(const std::string& validUtf8) const;

private:
    Status setUpSpecials(const HfTokenizerConfig& config, const std::string& unk, const std::string& name);
    void wordPiece(const std::u32string& word, TokenizedText& out) const;

    Vocabulary m_vocab;
    AddedTokenSplitter m_specials;
    bool m_lowerCase = true;
    bool m_stripAccents = true;
    bool m_chineseChars = true;
    size_t m_maxTokenChars = 0; // code points of the longest vocabulary token
    int m_unk = 0;
    int m_cls = -1;
    int m_sep = -1;
};

} // namespace attn
