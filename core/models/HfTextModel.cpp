#include "HfTextModel.h"

#include "MemoryBudget.h"
#include "BertModel.h"
#include "Gpt2Model.h"
#include "HfLlamaModel.h"
#include "TransformerOps.h"

#include <algorithm>
#include <cstdio>

namespace attn {

namespace {

// The key/value cache of `positions` positions must fit the memory budget (a long generation on a
// large model would otherwise allocate gigabytes before the first token).
Status checkCacheBudget(const HfConfig& c, int positions, const ComputeControl& control)
{
    const uint64_t bytes = uint64_t { 2 } * sizeof(float) * static_cast<uint64_t>(c.layers)
        * static_cast<uint64_t>(positions) * static_cast<uint64_t>(c.kvHeads)
        * static_cast<uint64_t>(c.headDim);
    const uint64_t limit
        = control.memoryLimitBytes ? control.memoryLimitBytes : defaultMemoryLimit();
    if (bytes <= limit)
        return success();
    char text[160];
    std::snprintf(text, sizeof text,
        "the key/value cache of %d positions needs %.1f MB, more than the memory budget of %.1f MB",
        positions, static_cast<double>(bytes) / (1024.0 * 1024.0),
        static_cast<double>(limit) / (1024.0 * 1024.0));
    return makeError(text);
}

} // namespace

Expected<std::unique_ptr<HfTextModel>> HfTextModel::load(
    const HfConfig& config, const HfCheckpoint& checkpoint, const ComputeControl& control)
{
    if (auto st = checkpoint.checkBudget(control); !st)
        return st.takeError();
    auto wrap = [](auto loaded) -> Expected<std::unique_ptr<HfTextModel>> {
        if (!loaded)
            return loaded.takeError();
        return std::unique_ptr<HfTextModel>(std::move(*loaded));
    };
    switch (config.architecture) {
    case HfArchitecture::Bert:
        return wrap(BertModel::load(config, checkpoint));
    case HfArchitecture::Gpt2:
        return wrap(Gpt2Model::load(config, checkpoint));
    case HfArchitecture::Llama:
        return wrap(HfLlamaModel::load(config, checkpoint));
    case HfArchitecture::Vit:
        break;
    }
    return makeError("a ViT model takes a picture, not text: open an image with this model");
}

Status HfTextModel::validateTokens(const std::vector<int>& ids) const
{
    if (ids.empty())
        return makeError("no tokens to run: give at least one");
    if (ids.size() > static_cast<size_t>(m_config.maxPositions))
        return makeError(std::to_string(ids.size()) + " tokens are more than the model's context length of "
            + std::to_string(m_config.maxPositions));
    for (size_t i = 0; i < ids.size(); ++i)
        if (ids[i] < 0 || ids[i] >= m_config.vocabSize)
            return makeError("token " + std::to_string(ids[i]) + " at position " + std::to_string(i)
                + " is outside the vocabulary (0.." + std::to_string(m_config.vocabSize - 1) + ")");
    return success();
}

Expected<ModelAttention> HfTextModel::forward(
    const std::vector<int>& ids, const HfRunOptions& options, const ComputeControl& control) const
{
    if (auto st = validateTokens(ids); !st)
        return st.takeError();
    const int n = static_cast<int>(ids.size());
    if (auto st = ops::checkCaptureBudget(
            m_config.layers, m_config.heads, n, m_config.headDim, options.keepQueriesKeys, control);
        !st)
        return st.takeError();
    ModelAttention a
        = ops::makeCapture(m_config.layers, m_config.heads, n, m_config.headDim, options.keepQueriesKeys);
    a.tokenIds = ids;
    for (int id : ids)
        a.tokenLabels.push_back("#" + std::to_string(id));
    if (m_config.isCausal())
        if (auto st = checkCacheBudget(m_config, n, control); !st)
            return st.takeError();
    KvCache cache(m_config.layers, m_config.isCausal() ? n : 0, m_config.kvHeads * m_config.headDim);
    if (auto st
        = forwardBlock(ids.data(), n, cache, &a, m_config.isCausal() ? &a.lastLogits : nullptr, control);
        !st)
        return st.takeError();
    return a;
}

Expected<std::vector<int>> HfTextModel::generateGreedy(
    const std::vector<int>& prompt, int steps, const ComputeControl& control) const
{
    if (!m_config.isCausal())
        return makeError(
            "a " + m_config.modelType + " model does not generate text (it is not a causal language model)");
    if (auto st = validateTokens(prompt); !st)
        return st.takeError();
    if (steps < 0)
        return makeError(
            "the number of tokens to generate is " + std::to_string(steps) + "; it cannot be negative");
    std::vector<int> generated;
    const auto promptLength = static_cast<int>(prompt.size());
    if (steps == 0 || promptLength >= m_config.maxPositions)
        return generated;
    // Every returned token fits the context, so that prompt + generated can be run again.
    const int capacity
        = static_cast<int>(std::min<int64_t>(m_config.maxPositions, int64_t { promptLength } + steps));
    if (auto st = checkCacheBudget(m_config, capacity, control); !st)
        return st.takeError();
    KvCache cache(m_config.layers, capacity, m_config.kvHeads * m_config.headDim);
    const ComputeControl quiet { control.cancel, {}, control.memoryLimitBytes };
    std::vector<float> logits;
    if (auto st = forwardBlock(prompt.data(), promptLength, cache, nullptr, &logits, quiet); !st)
        return st.takeError();
    while (cache.length < m_config.maxPositions) { // the next token's position must be inside the context
        const int next = static_cast<int>(std::max_element(logits.begin(), logits.end()) - logits.begin());
        if (next == m_config.eosTokenId)
            break;
        generated.push_back(next);
        control.report(static_cast<double>(generated.size()) / steps);
        if (static_cast<int>(generated.size()) >= steps)
            break;
        if (auto st = forwardBlock(&next, 1, cache, nullptr, &logits, quiet); !st)
            return st.takeError();
    }
    return generated;
}

} // namespace attn
