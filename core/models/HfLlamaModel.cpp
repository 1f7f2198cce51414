#include "HfLlamaModel.h"

#include "TransformerOps.h"

#include <cmath>

namespace attn {

namespace {

// Rotates each head's halves of `width` columns (a multiple of the head size) of every row.
void applyRope(Matrix& m, int headDim, const Matrix& cosT, const Matrix& sinT)
{
    const int half = headDim / 2;
    const auto heads = static_cast<int>(m.cols() / headDim);
    for (Eigen::Index i = 0; i < m.rows(); ++i) {
        float* row = m.data() + i * m.cols();
        for (int h = 0; h < heads; ++h) {
            float* x = row + h * headDim;
            for (int j = 0; j < half; ++j) {
                const float c = cosT(i, j);
                const float s = sinT(i, j);
                const float a = x[j];
                const float b = x[j + half];
                x[j] = a * c - b * s;
                x[j + half] = b * c + a * s;
            }
        }
    }
}

} // namespace

Expected<std::unique_ptr<HfLlamaModel>> HfLlamaModel::load(const HfConfig& c, const HfCheckpoint& checkpoint)
{
    std::unique_ptr<HfLlamaModel> m(new HfLlamaModel(c));
    HfCheckpoint::Reader r(checkpoint, checkpoint.has("model.embed_tokens.weight") ? "model." : "");
    const int D = c.hiddenSize;
    const int I = c.intermediateSize;
    const int qDim = c.heads * c.headDim;
    const int kvDim = c.kvHeads * c.headDim;
    m->m_embed = r.matrix("embed_tokens.weight", c.vocabSize, D);
    for (int l = 0; l < c.layers && !r.error(); ++l) {
        const std::string p = "layers." + std::to_string(l) + ".";
        Layer w;
        w.inputNorm = r.vector(p + "input_layernorm.weight", D);
        w.wq = r.matrix(p + "self_attn.q_proj.weight", qDim, D);
        w.wk = r.matrix(p + "self_attn.k_proj.weight", kvDim, D);
        w.wv = r.matrix(p + "self_attn.v_proj.weight", kvDim, D);
        w.wo = r.matrix(p + "self_attn.o_proj.weight", D, qDim);
        w.postNorm = r.vector(p + "post_attention_layernorm.weight", D);
        w.gate = r.matrix(p + "mlp.gate_proj.weight", I, D);
        w.up = r.matrix(p + "mlp.up_proj.weight", I, D);
        w.down = r.matrix(p + "mlp.down_proj.weight", D, I);
        m->m_layers.push_back(std::move(w));
    }
    m->m_norm = r.vector("norm.weight", D);
    if (r.error())
        return *r.error();
    if (!c.tieWordEmbeddings) {
        auto head = checkpoint.matrix("lm_head.weight", c.vocabSize, D);
        if (!head)
            return head.takeError();
        m->m_lmHead = std::move(*head);
    }
    return m;
}

Status HfLlamaModel::forwardBlock(const int* ids, int count, KvCache& cache, ModelAttention* capture,
    std::vector<float>* lastLogits, const ComputeControl& control) const
{
    const HfConfig& c = m_config;
    const int D = c.hiddenSize;
    const int hd = c.headDim;
    const int half = hd / 2;
    const auto n = static_cast<Eigen::Index>(count);
    const int start = cache.length;
    const Eigen::Index total = start + n;
    Matrix x(n, D);
    for (Eigen::Index i = 0; i < n; ++i)
        x.row(i) = m_embed.row(ids[i]);

    Matrix cosT(n, half);
    Matrix sinT(n, half);
    for (int j = 0; j < half; ++j) {
        const double frequency = 1.0 / std::pow(c.ropeTheta, 2.0 * j / hd);
        for (Eigen::Index i = 0; i < n; ++i) {
            const double angle = static_cast<double>(start + i) * frequency;
            cosT(i, j) = static_cast<float>(std::cos(angle));
            sinT(i, j) = static_cast<float>(std::sin(angle));
        }
    }

    Matrix h, q, k, v, context, g, u;
    for (int l = 0; l < c.layers; ++l) {
        if (control.cancelled())
            return makeError("cancelled");
        const Layer& w = m_layers[static_cast<size_t>(l)];
        ops::rmsNorm(x, w.inputNorm, c.normEps, h);
        q.noalias() = h * w.wq.transpose();
        k.noalias() = h * w.wk.transpose();
        v.noalias() = h * w.wv.transpose();
        applyRope(q, hd, cosT, sinT);
        applyRope(k, hd, cosT, sinT);
        Matrix& kc = cache.k[static_cast<size_t>(l)];
        Matrix& vc = cache.v[static_cast<size_t>(l)];
        kc.middleRows(start, n) = k;
        vc.middleRows(start, n) = v;
        ops::attendLayer(q, kc.topRows(total), vc.topRows(total), c.heads, c.kvHeads, hd, true, start,
            context, capture, l);
        x.noalias() += context * w.wo.transpose();
        ops::rmsNorm(x, w.postNorm, c.normEps, h);
        g.noalias() = h * w.gate.transpose();
        u.noalias() = h * w.up.transpose();
        g.array() = g.array() / (1.0f + (-g.array()).exp()) * u.array(); // silu(gate) * up
        x.noalias() += g * w.down.transpose();
        if (capture)
            control.report(static_cast<double>(l + 1) / c.layers);
    }
    cache.length = static_cast<int>(total);
    if (lastLogits) {
        Matrix last = x.bottomRows(1);
        ops::rmsNorm(last, m_norm, c.normEps, h);
        const Matrix& head = m_lmHead.size() ? m_lmHead : m_embed;
        const Eigen::RowVectorXf logits = h * head.transpose();
        lastLogits->assign(logits.data(), logits.data() + logits.size());
    }
    return success();
}

} // namespace attn
