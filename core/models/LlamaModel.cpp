#include "LlamaModel.h"

#include "Llama2cFamily.h"

namespace attn {

LlamaModel::LlamaModel(Llama2cCheckpoint checkpoint)
    : m_checkpoint(std::make_unique<const Llama2cCheckpoint>(std::move(checkpoint)))
    , m_stack(Llama2cFamily::spec(m_checkpoint->config()), Llama2cFamily::weights(*m_checkpoint))
{
}

Expected<ModelAttention> LlamaModel::forward(
    const std::vector<int>& tokens, const LlamaRunOptions& options, const ComputeControl& control) const
{
    auto a = m_stack.forward(tokens, options.keepQueriesKeys, control);
    if (a && options.tokenizer)
        for (size_t i = 0; i < tokens.size(); ++i)
            a->tokenLabels[i] = options.tokenizer->label(tokens[i]);
    return a;
}

} // namespace attn
