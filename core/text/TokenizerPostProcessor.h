#pragma once
// A tokenizer.json "post_processor": the special tokens Hugging Face puts around one sequence when
// add_special_tokens is true (the default of tokenizer(text)):
//   TemplateProcessing  its "single" template (pieces {"SpecialToken": {"id": ...}} and one
//                       {"Sequence": {"id": "A"}}, or the string form "<s> $A </s>"), the ids from
//                       "special_tokens" (Llama: "<s> $A", T5: "$A </s>", XLM-R: "<s> $A </s>")
//   RobertaProcessing   cls $A sep, from "cls": ["<s>", 0] and "sep": ["</s>", 2]
//   BertProcessing      the same with [CLS] and [SEP]
//   ByteLevel           adds nothing (it only trims offsets)
//   Sequence            its "processors" in turn
// Every id must be a vocabulary id. Other types are refused with a message naming them.
#include "Expected.h"
#include "HfTokenizer.h"
#include "TokenizerFiles.h"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace attn {

class TokenizerPostProcessor {
public:
    static constexpr int kMaxNesting = 8;
    static constexpr size_t kMaxTemplatePieces = 64;

    static Expected<TokenizerPostProcessor> fromJson(
        const nlohmann::json& j, const Vocabulary& vocab, const std::string& where);

    // True when the file has a processor that says which special tokens go around the text
    // (TemplateProcessing, RobertaProcessing, BertProcessing), even one that adds none.
    bool decides() const { return m_decides; }
    const std::vector<int>& before() const { return m_before; }
    const std::vector<int>& after() const { return m_after; }
    // `tokens` with the special tokens around them, labelled with their vocabulary tokens.
    TokenizedText apply(TokenizedText tokens, const Vocabulary& vocab) const;

private:
    Status read(const nlohmann::json& j, const Vocabulary& vocab, const std::string& where, int depth);
    Status readTemplate(const nlohmann::json& j, const Vocabulary& vocab, const std::string& where,
        std::vector<int>& before, std::vector<int>& after);

    bool m_decides = false;
    std::vector<int> m_before, m_after;
};

} // namespace attn
