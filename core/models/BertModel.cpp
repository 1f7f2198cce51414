#include "BertModel.h"

#include "TransformerOps.h"

namespace attn {

Expected<std::unique_ptr<BertModel>> BertModel::load(const HfConfig& c, const HfCheckpoint& checkpoint)
{
    std::unique_ptr<BertModel> m(new BertModel(c));
    HfCheckpoint::Reader r(
        checkpoint, checkpoint.has("bert.embeddings.word_embeddings.weight") ? "bert." : "");
    const int D = c.hiddenSize;
    const int I = c.intermediateSize;
    m->m_word = r.matrix("embeddings.word_embeddings.weight", c.vocabSize, D);
    m->m_position = r.matrix("embeddings.position_embeddings.weight", c.maxPositions, D);
    const Matrix types = r.matrix("embeddings.token_type_embeddings.weight", c.typeVocabSize, D);
    if (!r.error())
        m->m_tokenType0 = types.row(0).transpose();
    m->m_lnWeight = r.vector("embeddings.LayerNorm.weight", D);
    m->m_lnBias = r.vector("embeddings.LayerNorm.bias", D);
    for (int l = 0; l < c.layers && !r.error(); ++l) {
        const std::string p = "encoder.layer." + std::to_string(l) + ".";
        Layer w;
        w.wq = r.matrix(p + "attention.self.query.weight", D, D);
        w.bq = r.vector(p + "attention.self.query.bias", D);
        w.wk = r.matrix(p + "attention.self.key.weight", D, D);
        w.bk = r.vector(p + "attention.self.key.bias", D);
        w.wv = r.matrix(p + "attention.self.value.weight", D, D);
        w.bv = r.vector(p + "attention.self.value.bias", D);
        w.wo = r.matrix(p + "attention.output.dense.weight", D, D);
        w.bo = r.vector(p + "attention.output.dense.bias", D);
        w.ln1w = r.vector(p + "attention.output.LayerNorm.weight", D);
        w.ln1b = r.vector(p + "attention.output.LayerNorm.bias", D);
        w.w1 = r.matrix(p + "intermediate.dense.weight", I, D);
        w.b1 = r.vector(p + "intermediate.dense.bias", I);
        w.w2 = r.matrix(p + "output.dense.weight", D, I);
        w.b2 = r.vector(p + "output.dense.bias", D);
        w.ln2w = r.vector(p + "output.LayerNorm.weight", D);
        w.ln2b = r.vector(p + "output.LayerNorm.bias", D);
        m->m_layers.push_back(std::move(w));
    }
    if (r.error())
        return *r.error();
    return m;
}

Status BertModel::forwardBlock(const int* ids, int count, KvCache&, ModelAttention* capture,
    std::vector<float>*, const ComputeControl& control) const
{
    const HfConfig& c = m_config;
    const auto n = static_cast<Eigen::Index>(count);
    Matrix x(n, c.hiddenSize);
    for (Eigen::Index i = 0; i < n; ++i)
        x.row(i) = m_word.row(ids[i]) + m_position.row(i) + m_tokenType0.transpose();
    Matrix t;
    ops::layerNorm(x, m_lnWeight, m_lnBias, c.normEps, t);
    x.swap(t);
    Matrix q, k, v, context, h;
    for (int l = 0; l < c.layers; ++l) {
        if (control.cancelled())
            return makeError("cancelled");
        const Layer& w = m_layers[static_cast<size_t>(l)];
        q.noalias() = x * w.wq.transpose();
        ops::addRowBias(q, w.bq);
        k.noalias() = x * w.wk.transpose();
        ops::addRowBias(k, w.bk);
        v.noalias() = x * w.wv.transpose();
        ops::addRowBias(v, w.bv);
        ops::attendLayer(q, k, v, c.heads, c.heads, c.headDim, false, 0, context, capture, l);
        t.noalias() = context * w.wo.transpose();
        ops::addRowBias(t, w.bo);
        t += x;
        ops::layerNorm(t, w.ln1w, w.ln1b, c.normEps, x);
        h.noalias() = x * w.w1.transpose();
        ops::addRowBias(h, w.b1);
        ops::geluErf(h);
        t.noalias() = h * w.w2.transpose();
        ops::addRowBias(t, w.b2);
        t += x;
        ops::layerNorm(t, w.ln2w, w.ln2b, c.normEps, x);
        control.report(static_cast<double>(l + 1) / c.layers);
    }
    return success();
}

} // namespace attn
