#include "TransformerBlock.h"

#include "StreamingAttention.h"
#include "TransformerOps.h"

namespace attn {

namespace {

// out = in W^T (+ b)
void project(const Matrix& in, const Matrix& w, const Vector* bias, Eigen::Ref<Matrix> out)
{
    ops::linear(in, w, out);
    if (bias)
        out.rowwise() += bias->transpose();
}

} // namespace

TransformerBlock::TransformerBlock(const TransformerSpec& spec, const TransformerLayerWeights& weights, int layer)
    : m_spec(spec)
    , m_w(weights)
    , m_layer(layer)
{
}

void TransformerBlock::norm(const Matrix& x, const Vector* weight, const Vector* bias, Matrix& out) const
{
    if (m_spec.norm == NormType::LayerNorm)
        ops::layerNorm(x, *weight, *bias, m_spec.normEps, out);
    else
        ops::rmsNorm(x, *weight, m_spec.normEps, out, m_spec.normAddOne);
}

void TransformerBlock::mlp(const Matrix& in, Scratch& s, Matrix& out) const
{
    const TransformerLayerWeights& w = m_w;
    if (m_spec.gated()) {
        s.gate.resize(in.rows(), w.gate->rows());
        s.up.resize(in.rows(), w.up->rows());
        ops::linear(in, *w.gate, s.gate);
        ops::linear(in, *w.up, s.up);
        if (m_spec.mlp == MlpKind::SwiGlu)
            ops::silu(s.gate);
        else
            ops::geluTanh(s.gate);
        s.gate.array() *= s.up.array();
        out.resize(in.rows(), w.down->rows());
        ops::linear(s.gate, *w.down, out);
    } else {
        s.up.resize(in.rows(), w.up->rows());
        project(in, *w.up, w.upBias, s.up);
        if (m_spec.mlp == MlpKind::GeluErf)
            ops::geluErf(s.up);
        else
            ops::geluTanh(s.up);
        out.resize(in.rows(), w.down->rows());
        ops::linear(s.up, *w.down, out);
    }
    if (w.downBias)
        out.rowwise() += w.downBias->transpose();
}

void TransformerBlock::forward(Matrix& x, int start, Matrix& keys, Matrix& values, const RotaryEmbedding* rope,
    ModelAttention* capture, Scratch& s, LayerTrace* trace) const
{
    const TransformerSpec& spec = m_spec;
    const TransformerLayerWeights& w = m_w;
    const Eigen::Index n = x.rows();
    const Eigen::Index total = start + n;
    const bool pre = spec.placement == NormPlacement::Pre;

    // Attention.
    if (pre)
        norm(x, w.attnNormWeight, w.attnNormBias, s.h);
    const Matrix& in = pre ? s.h : x;
    s.q.resize(n, spec.qDim());
    project(in, *w.wq, w.bq, s.q);
    project(in, *w.wk, w.bk, keys.middleRows(start, n));
    project(in, *w.wv, w.bv, values.middleRows(start, n));
    if (rope) {
        rope->apply(s.q);
        rope->apply(keys.middleRows(start, n));
    }
    ops::AttendOptions options;
    options.heads = spec.heads;
    options.kvHeads = spec.kvHeads;
    options.headDim = spec.headDim;
    options.causal = spec.causal;
    options.queryOffset = start;
    options.scale = static_cast<float>(spec.scoreScale());
    options.softCap = spec.attentionSoftCap;
    options.window = spec.windowedLayer(m_layer) ? spec.slidingWindow : 0;
    if (trace) {
        trace->rule = options;
        trace->queries = s.q;
        trace->keys = keys.topRows(total);
        trace->values = values.topRows(total);
        StreamingAttention::attend(s.q, keys.topRows(total), values.topRows(total), options, s.context, &trace->rows);
    } else {
        ops::attendLayer(s.q, keys.topRows(total), values.topRows(total), options, s.context, capture, m_layer);
    }
    s.t.resize(n, spec.hidden);
    project(s.context, *w.wo, w.bo, s.t);
    if (pre) {
        if (spec.sandwichNorm) {
            norm(s.t, w.postAttnNormWeight, nullptr, s.h);
            x += s.h;
        } else {
            x += s.t;
        }
    } else {
        s.t += x;
        norm(s.t, w.attnNormWeight, w.attnNormBias, x);
    }

    // MLP.
    if (pre) {
        norm(x, w.mlpNormWeight, w.mlpNormBias, s.h);
        mlp(s.h, s, s.t);
        if (spec.sandwichNorm) {
            norm(s.t, w.postMlpNormWeight, nullptr, s.h);
            x += s.h;
        } else {
            x += s.t;
        }
    } else {
        mlp(x, s, s.t);
        s.t += x;
        norm(s.t, w.mlpNormWeight, w.mlpNormBias, x);
    }
}

} // namespace attn
