#include "HfTextModel.h"

#include "WeightLoader.h"
#include "ModelFamily.h"

namespace attn {

Expected<std::unique_ptr<HfTextModel>> HfTextModel::load(
    const HfConfig& config, const HfCheckpoint& checkpoint, const ComputeControl& control)
{
    if (auto st = checkpoint.checkBudget(control); !st)
        return st.takeError();
    if (config.isVision())
        return makeError("a ViT model takes a picture, not text: open an image with this model");
    const ModelFamily* family = ModelFamily::forArchitecture(config.architecture);
    if (!family)
        return makeError("the stack has no family for model_type '" + config.modelType + "'");
    TransformerSpec spec = family->spec(config);
    auto weights = WeightLoader::load(spec, family->tensorNames(), checkpoint);
    if (!weights)
        return weights.takeError();
    return std::unique_ptr<HfTextModel>(
        new HfTextModel(config, TransformerStack(std::move(spec), std::move(*weights))));
}

} // namespace attn
