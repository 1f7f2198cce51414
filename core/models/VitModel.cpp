#include "VitModel.h"

#include "ModelFamily.h"
#include "WeightLoader.h"

namespace attn {

VitModel::VitModel(
    HfConfig config, Matrix patchWeight, Vector patchBias, Matrix leading, TransformerStack stack)
    : m_config(std::move(config))
    , m_patchWeight(std::move(patchWeight))
    , m_patchBias(std::move(patchBias))
    , m_leading(std::move(leading))
    , m_stack(std::move(stack))
{
}

Expected<std::unique_ptr<VitModel>> VitModel::load(
    const HfConfig& c, const HfCheckpoint& checkpoint, const ComputeControl& control)
{
    const ModelFamily* family = c.isVision() ? ModelFamily::forArchitecture(c.architecture) : nullptr;
    if (!family)
        return makeError("a " + c.modelType + " model is not a vision transformer");
    if (auto st = checkpoint.checkBudget(control); !st)
        return st.takeError();
    const TensorNameTable names = family->tensorNames();
    TensorReader r(checkpoint, WeightLoader::prefixOf(names, checkpoint));
    const int D = c.hiddenSize;
    const int P = c.patchSize;
    const int tokens = c.maxPositions;
    Matrix patchWeight;
    Matrix leading(c.distillationToken ? 2 : 1, D);
    Matrix position;
    const Tensor patch = r.tensor("embeddings.patch_embeddings.projection.weight", { D, c.channels, P, P });
    if (!r.error())
        patchWeight = Eigen::Map<const Matrix>(patch.data.data(), D, int64_t { c.channels } * P * P);
    Vector patchBias = r.vector("embeddings.patch_embeddings.projection.bias", D);
    const Tensor clsToken = r.tensor("embeddings.cls_token", { 1, 1, D });
    if (!r.error())
        leading.row(0) = Eigen::Map<const Eigen::RowVectorXf>(clsToken.data.data(), D);
    if (c.distillationToken) {
        const Tensor distillation = r.tensor("embeddings.distillation_token", { 1, 1, D });
        if (!r.error())
            leading.row(1) = Eigen::Map<const Eigen::RowVectorXf>(distillation.data.data(), D);
    }
    const Tensor positions = r.tensor("embeddings.position_embeddings", { 1, tokens, D });
    if (!r.error())
        position = Eigen::Map<const Matrix>(positions.data.data(), tokens, D);
    if (r.error())
        return *r.error();
    TransformerSpec spec = family->spec(c);
    auto weights = WeightLoader::load(spec, names, checkpoint);
    if (!weights)
        return weights.takeError();
    weights->positionEmbedding = weights->keep(std::move(position));
    return std::unique_ptr<VitModel>(new VitModel(c, std::move(patchWeight), std::move(patchBias),
        std::move(leading), TransformerStack(std::move(spec), std::move(*weights))));
}

Expected<ModelAttention> VitModel::forward(
    const std::vector<float>& pixels, int size, bool keepQueriesKeys, const ComputeControl& control) const
{
    const HfConfig& c = m_config;
    if (size != c.imageSize)
        return makeError("the picture is " + std::to_string(size) + " x " + std::to_string(size)
            + " pixels; this ViT takes " + std::to_string(c.imageSize) + " x " + std::to_string(c.imageSize));
    const size_t expected
        = static_cast<size_t>(c.channels) * static_cast<size_t>(size) * static_cast<size_t>(size);
    if (pixels.size() != expected)
        return makeError("the pixel tensor has " + std::to_string(pixels.size()) + " values; "
            + std::to_string(c.channels) + " x " + std::to_string(size) + " x " + std::to_string(size) + " = "
            + std::to_string(expected) + " were expected");
    const int n = c.maxPositions;
    const int lead = leadingTokens();
    const int P = c.patchSize;
    const int side = c.patchesPerSide();
    Matrix patches(n - lead, static_cast<Eigen::Index>(c.channels) * P * P);
    for (int r = 0; r < side; ++r)
        for (int col = 0; col < side; ++col) {
            float* out = patches.data() + static_cast<Eigen::Index>(r * side + col) * patches.cols();
            for (int ch = 0; ch < c.channels; ++ch)
                for (int i = 0; i < P; ++i)
                    for (int j = 0; j < P; ++j)
                        *out++
                            = pixels[(static_cast<size_t>(ch) * size + static_cast<size_t>(r * P + i)) * size
                                + static_cast<size_t>(col * P + j)];
        }
    Matrix x(n, c.hiddenSize);
    x.topRows(lead) = m_leading;
    x.bottomRows(n - lead).noalias() = patches * m_patchWeight.transpose();
    x.bottomRows(n - lead).rowwise() += m_patchBias.transpose();

    auto a = m_stack.forwardEmbedded(std::move(x), keepQueriesKeys, control);
    if (!a)
        return a;
    a->tokenLabels.push_back("CLS");
    if (lead > 1)
        a->tokenLabels.push_back("DIST");
    for (int r = 0; r < side; ++r)
        for (int col = 0; col < side; ++col)
            a->tokenLabels.push_back(std::to_string(r) + "," + std::to_string(col));
    return a;
}

} // namespace attn
