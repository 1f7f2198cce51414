#include "Llama2cFamily.h"

#include "Llama2cTokenizer.h"

namespace attn {

TransformerSpec Llama2cFamily::spec(const Llama2cConfig& c)
{
    TransformerSpec s;
    s.family = "llama2.c";
    s.layers = c.layers;
    s.hidden = c.dim;
    s.heads = c.heads;
    s.kvHeads = c.kvHeads;
    s.headDim = c.headSize();
    s.intermediate = c.hiddenDim;
    s.vocab = c.vocabSize;
    s.maxPositions = c.seqLen;
    s.norm = NormType::RmsNorm;
    s.normEps = 1e-5;
    s.positions = PositionKind::RopeInterleaved;
    s.rope.theta = 10000.0;
    s.causal = true;
    s.mlp = MlpKind::SwiGlu;
    s.hasHead = true;
    s.tiedHead = c.sharedClassifier;
    s.stopTokens = { Llama2cTokenizer::kBos, Llama2cTokenizer::kEos };
    return s;
}

TransformerWeights Llama2cFamily::weights(const Llama2cCheckpoint& checkpoint)
{
    TransformerWeights w;
    w.tokenEmbedding = &checkpoint.tokenEmbedding();
    for (const Llama2cCheckpoint::Layer& l : checkpoint.layers()) {
        TransformerLayerWeights layer;
        layer.attnNormWeight = &l.rmsAtt;
        layer.wq = &l.wq;
        layer.wk = &l.wk;
        layer.wv = &l.wv;
        layer.wo = &l.wo;
        layer.mlpNormWeight = &l.rmsFfn;
        layer.gate = &l.w1;
        layer.up = &l.w3;
        layer.down = &l.w2;
        w.layers.push_back(layer);
    }
    w.finalNormWeight = &checkpoint.rmsFinal();
    w.head = &checkpoint.classifier();
    return w;
}

} // namespace attn
