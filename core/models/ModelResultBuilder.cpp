#include "ModelResultBuilder.h"

#include <algorithm>
#include <cmath>

namespace attn {

namespace {

// What a checkpoint's result says about itself, whether its maps are held or made on demand.
AttentionResult describe(int layers, int heads, int tokens, int headDim, int modelDim, bool causal,
    const std::vector<std::string>& labels, const std::string& projectionFile)
{
    AttentionResult r;
    r.layers = layers;
    r.heads = heads;
    r.queryCount = r.keyCount = tokens;
    r.inputDim = r.modelDim = modelDim;
    r.headDim = headDim;
    r.queryLabels = r.keyLabels = r.outputLabels = labels;
    r.mechanism.score = ScoreKind::ScaledDot;
    r.mechanism.norm = NormKind::Softmax;
    r.mechanism.causal = causal;
    r.mechanism.heads = heads;
    r.mechanism.dim = r.modelDim;
    r.mechanism.projection = ProjectionKind::File;
    r.mechanism.projectionFile = projectionFile;
    r.mechanism.keepScores = false;
    r.mask = MaskSpec(r.mechanism, tokens, tokens);
    return r;
}

} // namespace

AttentionResult ModelResultBuilder::build(ModelAttention& a, int modelDim, bool causal, const std::string& projectionFile)
{
    AttentionResult r
        = describe(a.layers, a.heads, a.tokens, a.headSize, modelDim, causal, a.tokenLabels, projectionFile);
    r.weights = std::move(a.weights);
    r.layerQueries = std::move(a.queries);
    r.layerKeys = std::move(a.keys);
    r.layerValues = std::move(a.values);
    r.tokenIds = a.tokenIds;
    return r;
}

AttentionResult ModelResultBuilder::build(
    AttentionTrace trace, int modelDim, bool causal, const std::string& projectionFile, uint64_t budgetBytes)
{
    AttentionResult r = describe(trace.layerCount(), trace.heads, trace.tokens, trace.headDim, modelDim, causal,
        trace.tokenLabels, projectionFile);
    r.tokenIds = trace.tokenIds;
    r.maps = std::make_shared<const AttentionMaps>(std::make_shared<const AttentionTrace>(std::move(trace)), budgetBytes);
    return r;
}

std::pair<int, float> ModelResultBuilder::argmaxWithProbability(const std::vector<float>& logits)
{
    const auto best = std::max_element(logits.begin(), logits.end());
    double sum = 0.0;
    for (float logit : logits)
        sum += std::exp(static_cast<double>(logit - *best));
    return {static_cast<int>(best - logits.begin()), static_cast<float>(1.0 / sum)};
}

} // namespace attn
