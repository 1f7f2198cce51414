#include "ModelResultBuilder.h"

#include <algorithm>
#include <cmath>

namespace attn {

AttentionResult ModelResultBuilder::build(ModelAttention& a, int modelDim, bool causal, const std::string& projectionFile)
{
    AttentionResult r;
    r.layers = a.layers;
    r.heads = a.heads;
    r.queryCount = r.keyCount = a.tokens;
    r.inputDim = r.modelDim = modelDim;
    r.headDim = a.headSize;
    r.queryLabels = r.keyLabels = r.outputLabels = a.tokenLabels;
    r.mechanism.score = ScoreKind::ScaledDot;
    r.mechanism.norm = NormKind::Softmax;
    r.mechanism.causal = causal;
    r.mechanism.heads = a.heads;
    r.mechanism.dim = r.modelDim;
    r.mechanism.projection = ProjectionKind::File;
    r.mechanism.projectionFile = projectionFile;
    r.mechanism.keepScores = false;
    r.mask = MaskSpec(r.mechanism, a.tokens, a.tokens);
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
    AttentionResult r;
    r.layers = trace.layerCount();
    r.heads = trace.heads;
    r.queryCount = r.keyCount = trace.tokens;
    r.inputDim = r.modelDim = modelDim;
    r.headDim = trace.headDim;
    r.queryLabels = r.keyLabels = r.outputLabels = trace.tokenLabels;
    r.mechanism.score = ScoreKind::ScaledDot;
    r.mechanism.norm = NormKind::Softmax;
    r.mechanism.causal = causal;
    r.mechanism.heads = trace.heads;
    r.mechanism.dim = r.modelDim;
    r.mechanism.projection = ProjectionKind::File;
    r.mechanism.projectionFile = projectionFile;
    r.mechanism.keepScores = false;
    r.mask = MaskSpec(r.mechanism, trace.tokens, trace.tokens);
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
