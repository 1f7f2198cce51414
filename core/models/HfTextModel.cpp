#include "HfTextModel.h"

#include "HfLazyWeights.h"
#include "RawTensorStore.h"

#include <set>
#include "WeightLoader.h"
#include "ModelFamily.h"

namespace attn {

namespace {

// The float32 bytes of the spec's layers (attention, MLP; norms and biases are small).
uint64_t layerBytes(const TransformerSpec& s)
{
    const uint64_t d = static_cast<uint64_t>(s.hidden);
    const uint64_t attention = d * (2 * static_cast<uint64_t>(s.qDim()) + 2 * static_cast<uint64_t>(s.kvDim()));
    const uint64_t mlp = d * static_cast<uint64_t>(s.intermediate) * (s.gated() ? 3 : 2);
    return (attention + mlp) * static_cast<uint64_t>(s.layers) * sizeof(float);
}

} // namespace

Expected<std::unique_ptr<HfTextModel>> HfTextModel::load(
    const HfConfig& config, const HfCheckpoint& checkpoint, const ComputeControl& control)
{
    // Borrowed, not owned: with lazy layers off nothing keeps it past this call.
    return load(config, std::shared_ptr<const HfCheckpoint>(std::shared_ptr<void>(), &checkpoint), control,
        HfLoadOptions { 0 });
}

Expected<std::unique_ptr<HfTextModel>> HfTextModel::load(const HfConfig& config,
    std::shared_ptr<const HfCheckpoint> shared, const ComputeControl& control, const HfLoadOptions& options)
{
    const HfCheckpoint& checkpoint = *shared;
    if (auto st = checkpoint.checkBudget(control); !st)
        return st.takeError();
    if (config.isVision())
        return makeError("a ViT model takes a picture, not text: open an image with this model");
    const ModelFamily* family = ModelFamily::forArchitecture(config.architecture);
    if (!family)
        return makeError("the stack has no family for model_type '" + config.modelType + "'");
    TransformerSpec spec = family->spec(config);
    const TensorNameTable names = family->tensorNames();
    const bool lazy = options.lazyLayersAbove > 0 && layerBytes(spec) > options.lazyLayersAbove;
    if (!lazy) {
        auto weights = WeightLoader::load(spec, names, checkpoint);
        if (!weights)
            return weights.takeError();
        return std::unique_ptr<HfTextModel>(
            new HfTextModel(config, TransformerStack(std::move(spec), std::move(*weights))));
    }
    // Lazy layers: the store keeps each layer's bytes as the load reads (and checks) them.
    const std::string prefix = WeightLoader::prefixOf(names, checkpoint);
    std::set<std::string> notKept;
    for (const std::string* n : {&names.tokenEmbedding, &names.positionEmbedding, &names.tokenTypeEmbedding,
             &names.embedNormWeight, &names.embedNormBias, &names.finalNormWeight, &names.finalNormBias})
        if (!n->empty())
            notKept.insert(prefix + *n);
    if (!names.head.empty())
        notKept.insert(names.head);
    auto store = std::make_shared<const RawTensorStore>(std::move(shared), std::move(notKept));
    auto weights = WeightLoader::load(spec, names, *store, true);
    if (!weights)
        return weights.takeError();
    weights->lazy = std::make_shared<HfLazyWeights>(
        std::move(store), spec, names, prefix, weights->tokenEmbedding, weights->head);
    return std::unique_ptr<HfTextModel>(
        new HfTextModel(config, TransformerStack(std::move(spec), std::move(*weights))));
}

} // namespace attn
