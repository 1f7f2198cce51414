#include "VitModel.h"

#include "TransformerOps.h"

namespace attn {

Expected<std::unique_ptr<VitModel>> VitModel::load(
    const HfConfig& c, const HfCheckpoint& checkpoint, const ComputeControl& control)
{
    if (c.architecture != HfArchitecture::Vit)
        return makeError("a " + c.modelType + " model is not a vision transformer");
    if (auto st = checkpoint.checkBudget(control); !st)
        return st.takeError();
    std::unique_ptr<VitModel> m(new VitModel(c));
    HfCheckpoint::Reader r(checkpoint, checkpoint.has("vit.embeddings.cls_token") ? "vit." : "");
    const int D = c.hiddenSize;
    const int I = c.intermediateSize;
    const int P = c.patchSize;
    const int tokens = c.maxPositions;
    const Tensor patch = r.tensor("embeddings.patch_embeddings.projection.weight", { D, c.channels, P, P });
    if (!r.error())
        m->m_patchWeight = Eigen::Map<const Matrix>(patch.data.data(), D, int64_t { c.channels } * P * P);
    m->m_patchBias = r.vector("embeddings.patch_embeddings.projection.bias", D);
    const Tensor cls = r.tensor("embeddings.cls_token", { 1, 1, D });
    if (!r.error())
        m->m_cls = Eigen::Map<const Vector>(cls.data.data(), D);
    const Tensor position = r.tensor("embeddings.position_embeddings", { 1, tokens, D });
    if (!r.error())
        m->m_position = Eigen::Map<const Matrix>(position.data.data(), tokens, D);
    for (int l = 0; l < c.layers && !r.error(); ++l) {
        const std::string p = "encoder.layer." + std::to_string(l) + ".";
        Layer w;
        w.ln1w = r.vector(p + "layernorm_before.weight", D);
        w.ln1b = r.vector(p + "layernorm_before.bias", D);
        w.wq = r.matrix(p + "attention.attention.query.weight", D, D);
        w.wk = r.matrix(p + "attention.attention.key.weight", D, D);
        w.wv = r.matrix(p + "attention.attention.value.weight", D, D);
        if (c.qkvBias) {
            w.bq = r.vector(p + "attention.attention.query.bias", D);
            w.bk = r.vector(p + "attention.attention.key.bias", D);
            w.bv = r.vector(p + "attention.attention.value.bias", D);
        } else {
            w.bq = w.bk = w.bv = Vector::Zero(D);
        }
        w.wo = r.matrix(p + "attention.output.dense.weight", D, D);
        w.bo = r.vector(p + "attention.output.dense.bias", D);
        w.ln2w = r.vector(p + "layernorm_after.weight", D);
        w.ln2b = r.vector(p + "layernorm_after.bias", D);
        w.w1 = r.matrix(p + "intermediate.dense.weight", I, D);
        w.b1 = r.vector(p + "intermediate.dense.bias", I);
        w.w2 = r.matrix(p + "output.dense.weight", D, I);
        w.b2 = r.vector(p + "output.dense.bias", D);
        m->m_layers.push_back(std::move(w));
    }
    if (r.error())
        return *r.error();
    return m;
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
    if (auto st = ops::checkCaptureBudget(c.layers, c.heads, n, c.headDim, keepQueriesKeys, control); !st)
        return st.takeError();

    const int P = c.patchSize;
    const int side = c.patchesPerSide();
    const int D = c.hiddenSize;
    Matrix patches(n - 1, static_cast<Eigen::Index>(c.channels) * P * P);
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
    Matrix x(n, D);
    x.row(0) = m_cls.transpose();
    x.bottomRows(n - 1).noalias() = patches * m_patchWeight.transpose();
    x.bottomRows(n - 1).rowwise() += m_patchBias.transpose();
    x += m_position;

    ModelAttention a = ops::makeCapture(c.layers, c.heads, n, c.headDim, keepQueriesKeys);
    a.tokenLabels.push_back("CLS");
    for (int r = 0; r < side; ++r)
        for (int col = 0; col < side; ++col)
            a.tokenLabels.push_back(std::to_string(r) + "," + std::to_string(col));

    Matrix h, q, k, v, context, f;
    for (int l = 0; l < c.layers; ++l) {
        if (control.cancelled())
            return makeError("cancelled");
        const Layer& w = m_layers[static_cast<size_t>(l)];
        ops::layerNorm(x, w.ln1w, w.ln1b, c.normEps, h);
        q.noalias() = h * w.wq.transpose();
        ops::addRowBias(q, w.bq);
        k.noalias() = h * w.wk.transpose();
        ops::addRowBias(k, w.bk);
        v.noalias() = h * w.wv.transpose();
        ops::addRowBias(v, w.bv);
        ops::attendLayer(q, k, v, c.heads, c.heads, c.headDim, false, 0, context, &a, l);
        x.noalias() += context * w.wo.transpose();
        ops::addRowBias(x, w.bo);
        ops::layerNorm(x, w.ln2w, w.ln2b, c.normEps, h);
        f.noalias() = h * w.w1.transpose();
        ops::addRowBias(f, w.b1);
        ops::geluErf(f);
        x.noalias() += f * w.w2.transpose();
        ops::addRowBias(x, w.b2);
        control.report(static_cast<double>(l + 1) / c.layers);
    }
    return a;
}

} // namespace attn
