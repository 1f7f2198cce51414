#pragma once
// The one transformer forward of every checkpoint family: embeddings, the spec's blocks
// (TransformerBlock), the final norm and the head, with every layer's per-head attention captured
// (ModelAttention) and, for causal models, a key/value cache for greedy generation (each layer's keys
// and values of the positions so far, so a new token costs one row through the network).
// A family is a TransformerSpec plus weights under the stack's names (TransformerWeights).
#include "ComputeControl.h"
#include "Expected.h"
#include "AttentionTrace.h"
#include "ModelAttention.h"
#include "TransformerSpec.h"
#include "TransformerWeights.h"
#include "Types.h"

#include <memory>
#include <string>
#include <vector>

namespace attn {

class TransformerStack {
public:
    TransformerStack(TransformerSpec spec, TransformerWeights weights);

    const TransformerSpec& spec() const { return m_spec; }
    const TransformerWeights& weights() const { return *m_weights; }

    // One pass over token ids (1 <= N <= the context length, ids in the vocabulary). Progress once per
    // layer; a cancel gives "cancelled"; the capture must fit the memory budget. lastLogits is filled
    // when the spec has a head. Labels are "#id" (callers with a tokenizer replace them).
    Expected<ModelAttention> forward(
        const std::vector<int>& ids, bool keepQueriesKeys, const ComputeControl& control = {}) const;
    // The same from embeddings already made ([N, hidden], e.g. a picture's patches and CLS token);
    // learned positions are added here as for ids.
    Expected<ModelAttention> forwardEmbedded(
        Matrix embedded, bool keepQueriesKeys, const ComputeControl& control = {}) const;

    // The same pass without any map (for long prompts): every layer streams, keeping its queries, keys,
    // values and row statistics (AttentionTrace, O(L·N·d)); every head's statistics are summed up and
    // lastLogits filled as in forward(). AttentionMaps makes any map from it on request. The trace and
    // (causal models) the key/value cache must fit the memory budget.
    Expected<AttentionTrace> trace(const std::vector<int>& ids, const ComputeControl& control = {}) const;

    // Causal models with a head: up to `steps` greedy tokens after the prompt, stopping before a stop
    // token and at the context length. Progress once per generated token.
    Expected<std::vector<int>> generateGreedy(
        const std::vector<int>& prompt, int steps, const ComputeControl& control = {}) const;

    Status validateTokens(const std::vector<int>& ids) const;

private:
    struct KvCache;
    Matrix embed(const int* ids, int n, int start) const;
    void addPositions(Matrix& x, int start) const;
    Status run(Matrix x, KvCache& cache, ModelAttention* capture, std::vector<float>* lastLogits,
        const ComputeControl& control, AttentionTrace* trace = nullptr) const;
    Expected<ModelAttention> capture(Matrix x, bool keepQueriesKeys, const ComputeControl& control) const;

    TransformerSpec m_spec;
    std::unique_ptr<const TransformerWeights> m_weights;
};

} // namespace attn
