#include "Gpt2Model.h"

#include "TransformerOps.h"

namespace attn {

Expected<std::unique_ptr<Gpt2Model>> Gpt2Model::load(const HfConfig& c, const HfCheckpoint& checkpoint)
{
    std::unique_ptr<Gpt2Model> m(new Gpt2Model(c));
    HfCheckpoint::Reader r(checkpoint, checkpoint.has("transformer.wte.weight") ? "transformer." : "");
    const int D = c.hiddenSize;
    const int I = c.intermediateSize;
    m->m_wte = r.matrix("wte.weight", c.vocabSize, D);
    m->m_wpe = r.matrix("wpe.weight", c.maxPositions, D);
    for (int l = 0; l < c.layers && !r.error(); ++l) {
        const std::string p = "h." + std::to_string(l) + ".";
        Layer w;
        w.ln1w = r.vector(p + "ln_1.weight", D);
        w.ln1b = r.vector(p + "ln_1.bias", D);
        w.attn = r.matrix(p + "attn.c_attn.weight", D, 3 * D);
        w.attnBias = r.vector(p + "attn.c_attn.bias", 3 * D);
        w.proj = r.matrix(p + "attn.c_proj.weight", D, D);
        w.projBias = r.vector(p + "attn.c_proj.bias", D);
        w.ln2w = r.vector(p + "ln_2.weight", D);
        w.ln2b = r.vector(p + "ln_2.bias", D);
        w.fc = r.matrix(p + "mlp.c_fc.weight", D, I);
        w.fcBias = r.vector(p + "mlp.c_fc.bias", I);
        w.mproj = r.matrix(p + "mlp.c_proj.weight", I, D);
        w.mprojBias = r.vector(p + "mlp.c_proj.bias", D);
        m->m_layers.push_back(std::move(w));
    }
    m->m_lnfWeight = r.vector("ln_f.weight", D);
    m->m_lnfBias = r.vector("ln_f.bias", D);
    if (r.error())
        return *r.error();
    return m;
}

Status Gpt2Model::forwardBlock(const int* ids, int count, KvCache& cache, ModelAttention* capture,
    std::vector<float>* lastLogits, const ComputeControl& control) const
{
    const HfConfig& c = m_config;
    const int D = c.hiddenSize;
    const auto n = static_cast<Eigen::Index>(count);
    const int start = cache.length;
    const Eigen::Index total = start + n;
    Matrix x(n, D);
    for (Eigen::Index i = 0; i < n; ++i)
        x.row(i) = m_wte.row(ids[i]) + m_wpe.row(start + i);
    Matrix t, qkv, context, h;
    for (int l = 0; l < c.layers; ++l) {
        if (control.cancelled())
            return makeError("cancelled");
        const Layer& w = m_layers[static_cast<size_t>(l)];
        ops::layerNorm(x, w.ln1w, w.ln1b, c.normEps, t);
        qkv.noalias() = t * w.attn;
        ops::addRowBias(qkv, w.attnBias);
        Matrix& kc = cache.k[static_cast<size_t>(l)];
        Matrix& vc = cache.v[static_cast<size_t>(l)];
        kc.middleRows(start, n) = qkv.middleCols(D, D);
        vc.middleRows(start, n) = qkv.rightCols(D);
        ops::attendLayer(qkv.leftCols(D), kc.topRows(total), vc.topRows(total), c.heads, c.heads, c.headDim,
            true, start, context, capture, l);
        x.noalias() += context * w.proj;
        ops::addRowBias(x, w.projBias);
        ops::layerNorm(x, w.ln2w, w.ln2b, c.normEps, t);
        h.noalias() = t * w.fc;
        ops::addRowBias(h, w.fcBias);
        ops::geluTanh(h);
        x.noalias() += h * w.mproj;
        ops::addRowBias(x, w.mprojBias);
        if (capture)
            control.report(static_cast<double>(l + 1) / c.layers);
    }
    cache.length = static_cast<int>(total);
    if (lastLogits) {
        Matrix last = x.bottomRows(1);
        ops::layerNorm(last, m_lnfWeight, m_lnfBias, c.normEps, t);
        const Eigen::RowVectorXf logits = t * m_wte.transpose();
        lastLogits->assign(logits.data(), logits.data() + logits.size());
    }
    return success();
}

} // namespace attn
