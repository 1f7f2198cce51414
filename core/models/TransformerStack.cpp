#include "TransformerStack.h"

#include "MemoryBudget.h"
#include "RotaryEmbedding.h"
#include "TransformerBlock.h"
#include "TransformerOps.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace attn {

namespace {

// The key/value cache of `positions` positions must fit the memory budget (a long generation on a
// large model would otherwise allocate gigabytes before the first token).
Status checkCacheBudget(const TransformerSpec& s, int positions, const ComputeControl& control)
{
    const uint64_t bytes = uint64_t { 2 } * sizeof(float) * static_cast<uint64_t>(s.layers)
        * static_cast<uint64_t>(positions) * static_cast<uint64_t>(s.kvDim());
    const uint64_t limit = memoryLimitOr(control.memoryLimitBytes);
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

double TransformerSpec::scoreScale() const
{
    return queryScale > 0.0 ? queryScale : 1.0 / std::sqrt(static_cast<double>(headDim));
}

// Keys and values of every layer for positions 0 .. length - 1. A forward pass that keeps nothing
// for later (an encoder, or one capture) shares one buffer between the layers.
struct TransformerStack::KvCache {
    std::vector<Matrix> k; // per layer [capacity, kvDim]
    std::vector<Matrix> v;
    int length = 0;
    KvCache(int layers, int capacity, int kvDim)
        : k(static_cast<size_t>(std::max(layers, 1)), Matrix(capacity, kvDim))
        , v(static_cast<size_t>(std::max(layers, 1)), Matrix(capacity, kvDim))
    {
    }
    Matrix& keys(int layer) { return k[k.size() == 1 ? 0 : static_cast<size_t>(layer)]; }
    Matrix& values(int layer) { return v[v.size() == 1 ? 0 : static_cast<size_t>(layer)]; }
};

TransformerStack::TransformerStack(TransformerSpec spec, TransformerWeights weights)
    : m_spec(std::move(spec))
    , m_weights(std::make_unique<const TransformerWeights>(std::move(weights)))
{
}

Status TransformerStack::validateTokens(const std::vector<int>& ids) const
{
    if (ids.empty())
        return makeError("no tokens to run: give at least one");
    if (ids.size() > static_cast<size_t>(m_spec.maxPositions))
        return makeError(std::to_string(ids.size()) + " tokens are more than the model's context length of "
            + std::to_string(m_spec.maxPositions));
    for (size_t i = 0; i < ids.size(); ++i)
        if (ids[i] < 0 || ids[i] >= m_spec.vocab)
            return makeError("token " + std::to_string(ids[i]) + " at position " + std::to_string(i)
                + " is outside the vocabulary (0.." + std::to_string(m_spec.vocab - 1) + ")");
    return success();
}

void TransformerStack::addPositions(Matrix& x, int start) const
{
    if (m_spec.positions == PositionKind::Learned)
        x += m_weights->positionEmbedding->middleRows(start + m_spec.positionOffset, x.rows());
}

Matrix TransformerStack::embed(const int* ids, int n, int start) const
{
    const TransformerWeights& w = *m_weights;
    Matrix x(n, m_spec.hidden);
    for (int i = 0; i < n; ++i)
        if (w.tokenEmbedding)
            x.row(i) = w.tokenEmbedding->row(ids[i]);
        else
            w.lazy->embeddingRow(ids[i], x.row(i).data());
    if (m_spec.embeddingScale != 1.0f)
        x *= m_spec.embeddingScale;
    addPositions(x, start);
    if (m_spec.tokenTypeZero)
        x.rowwise() += w.tokenType->transpose();
    return x;
}

Status TransformerStack::run(Matrix x, KvCache& cache, ModelAttention* capture, std::vector<float>* lastLogits,
    const ComputeControl& control, AttentionTrace* trace) const
{
    const TransformerSpec& s = m_spec;
    const TransformerWeights& w = *m_weights;
    const auto n = static_cast<int>(x.rows());
    const int start = cache.length;
    if (s.embeddingNorm) {
        Matrix t;
        ops::layerNorm(x, *w.embedNormWeight, *w.embedNormBias, s.normEps, t);
        x.swap(t);
    }
    std::unique_ptr<RotaryEmbedding> rope;
    if (s.positions == PositionKind::RopeHalf || s.positions == PositionKind::RopeInterleaved)
        rope = std::make_unique<RotaryEmbedding>(
            s.rope, s.headDim, s.positions == PositionKind::RopeInterleaved, start, n);
    TransformerBlock::Scratch scratch;
    for (int l = 0; l < s.layers; ++l) {
        if (control.cancelled())
            return makeError("cancelled");
        std::unique_ptr<LazyWeights::Layer> made;
        if (w.lazy)
            made = w.lazy->layer(l);
        const TransformerBlock block(s, made ? made->weights : w.layers[static_cast<size_t>(l)], l);
        LayerTrace* layerTrace = trace ? &trace->layers[static_cast<size_t>(l)] : nullptr;
        block.forward(x, start, cache.keys(l), cache.values(l), rope.get(), capture, scratch, layerTrace);
        if (layerTrace)
            for (int h = 0; h < s.heads; ++h)
                trace->headStats[static_cast<size_t>(l) * static_cast<size_t>(s.heads) + static_cast<size_t>(h)]
                    = layerTrace->rows.summary(h);
        if (capture || trace)
            control.report(static_cast<double>(l + 1) / s.layers);
    }
    cache.length = start + n;
    if (lastLogits && s.hasHead) {
        Matrix last = x.bottomRows(1);
        Matrix normed;
        if (!s.finalNorm)
            normed = last;
        else if (s.norm == NormType::LayerNorm)
            ops::layerNorm(last, *w.finalNormWeight, *w.finalNormBias, s.normEps, normed);
        else
            ops::rmsNorm(last, *w.finalNormWeight, s.normEps, normed, s.normAddOne);
        Eigen::RowVectorXf logits(s.vocab);
        if (w.head)
            logits.noalias() = normed * w.head->transpose();
        else
            w.lazy->headLogits(normed.data(), logits.data());
        if (s.finalSoftCap > 0.0f)
            ops::softCap(logits.data(), logits.size(), s.finalSoftCap);
        lastLogits->assign(logits.data(), logits.data() + logits.size());
    }
    return success();
}

Expected<ModelAttention> TransformerStack::capture(Matrix x, bool keepQueriesKeys, const ComputeControl& control) const
{
    const TransformerSpec& s = m_spec;
    const auto n = static_cast<int>(x.rows());
    if (auto st = ops::checkCaptureBudget(s.layers, s.heads, n, s.headDim, keepQueriesKeys, control); !st)
        return st.takeError();
    ModelAttention a = ops::makeCapture(s.layers, s.heads, n, s.headDim, keepQueriesKeys);
    // A causal model keeps every layer's keys and values (as generation does); an encoder one layer's.
    if (s.causal)
        if (auto st = checkCacheBudget(s, n, control); !st)
            return st.takeError();
    KvCache cache(s.causal ? s.layers : 1, n, s.kvDim());
    if (auto st = run(std::move(x), cache, &a, s.hasHead ? &a.lastLogits : nullptr, control); !st)
        return st.takeError();
    return a;
}

Expected<ModelAttention> TransformerStack::forward(
    const std::vector<int>& ids, bool keepQueriesKeys, const ComputeControl& control) const
{
    if (auto st = validateTokens(ids); !st)
        return st.takeError();
    const auto n = static_cast<int>(ids.size());
    auto a = capture(embed(ids.data(), n, 0), keepQueriesKeys, control);
    if (!a)
        return a;
    a->tokenIds = ids;
    for (int id : ids)
        a->tokenLabels.push_back("#" + std::to_string(id));
    return a;
}

Expected<ModelAttention> TransformerStack::forwardEmbedded(
    Matrix embedded, bool keepQueriesKeys, const ComputeControl& control) const
{
    if (embedded.rows() < 1 || embedded.rows() > m_spec.maxPositions || embedded.cols() != m_spec.hidden)
        return makeError("the embeddings are " + std::to_string(embedded.rows()) + " x "
            + std::to_string(embedded.cols()) + "; this model takes 1.." + std::to_string(m_spec.maxPositions)
            + " rows of " + std::to_string(m_spec.hidden));
    addPositions(embedded, 0);
    return capture(std::move(embedded), keepQueriesKeys, control);
}

Expected<AttentionTrace> TransformerStack::trace(const std::vector<int>& ids, const ComputeControl& control) const
{
    if (auto st = validateTokens(ids); !st)
        return st.takeError();
    const TransformerSpec& s = m_spec;
    const auto n = static_cast<int>(ids.size());
    const uint64_t needed = AttentionTrace::bytesFor(s.layers, n, s.heads, s.kvHeads, s.headDim);
    const uint64_t limit = memoryLimitOr(control.memoryLimitBytes);
    if (needed > limit) {
        char text[200];
        std::snprintf(text, sizeof text,
            "the queries, keys and values of %d tokens over %d layers need %.1f MB, more than the memory "
            "budget of %.1f MB: use a shorter input",
            n, s.layers, static_cast<double>(needed) / (1024.0 * 1024.0), static_cast<double>(limit) / (1024.0 * 1024.0));
        return makeError(text);
    }
    AttentionTrace t;
    t.heads = s.heads;
    t.kvHeads = s.kvHeads;
    t.tokens = n;
    t.headDim = s.headDim;
    t.layers.resize(static_cast<size_t>(s.layers));
    t.headStats.resize(static_cast<size_t>(s.layers) * static_cast<size_t>(s.heads));
    t.tokenIds = ids;
    for (int id : ids)
        t.tokenLabels.push_back("#" + std::to_string(id));
    KvCache cache(1, n, s.kvDim()); // one layer's keys and values at a time: the trace keeps its own copy
    if (auto st = run(embed(ids.data(), n, 0), cache, nullptr, s.hasHead ? &t.lastLogits : nullptr, control, &t); !st)
        return st.takeError();
    return t;
}

Expected<std::vector<int>> TransformerStack::generateGreedy(
    const std::vector<int>& prompt, int steps, const ComputeControl& control) const
{
    if (!m_spec.causal || !m_spec.hasHead)
        return makeError(
            "a " + m_spec.family + " model does not generate text (it is not a causal language model)");
    if (auto st = validateTokens(prompt); !st)
        return st.takeError();
    if (steps < 0)
        return makeError(
            "the number of tokens to generate is " + std::to_string(steps) + "; it cannot be negative");
    std::vector<int> generated;
    const auto promptLength = static_cast<int>(prompt.size());
    if (steps == 0 || promptLength >= m_spec.maxPositions)
        return generated;
    // Every returned token fits the context, so that prompt + generated can be run again.
    const int capacity
        = static_cast<int>(std::min<int64_t>(m_spec.maxPositions, int64_t { promptLength } + steps));
    if (auto st = checkCacheBudget(m_spec, capacity, control); !st)
        return st.takeError();
    KvCache cache(m_spec.layers, capacity, m_spec.kvDim());
    const ComputeControl quiet { control.cancel, {}, control.memoryLimitBytes };
    std::vector<float> logits;
    if (auto st = run(embed(prompt.data(), promptLength, 0), cache, nullptr, &logits, quiet); !st)
        return st.takeError();
    generated.reserve(static_cast<size_t>(capacity - promptLength));
    while (cache.length < m_spec.maxPositions) { // the next token's position must be inside the context
        // argmax: the first of equal maxima, as llama2.c's run.c
        const int next = static_cast<int>(std::max_element(logits.begin(), logits.end()) - logits.begin());
        if (std::find(m_spec.stopTokens.begin(), m_spec.stopTokens.end(), next) != m_spec.stopTokens.end())
            break;
        generated.push_back(next);
        control.report(static_cast<double>(generated.size()) / steps);
        if (static_cast<int>(generated.size()) >= steps)
            break;
        if (auto st = run(embed(&next, 1, cache.length), cache, nullptr, &logits, quiet); !st)
            return st.takeError();
    }
    return generated;
}

} // namespace attn
