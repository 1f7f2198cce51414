#include "DistilBertFamily.h"

#include "ModelFamily.h"

namespace attn {

TransformerSpec DistilBertFamily::spec(const HfConfig& c)
{
    TransformerSpec s = ModelFamily::sizedFrom(c);
    s.norm = NormType::LayerNorm;
    s.placement = NormPlacement::Post;
    s.embeddingNorm = true;
    s.finalNorm = false;
    s.positions = PositionKind::Learned;
    s.qkvBias = s.outputBias = true;
    s.mlp = MlpKind::GeluErf;
    s.mlpBias = true;
    return s;
}

TensorNameTable DistilBertFamily::tensorNames()
{
    TensorNameTable t;
    t.prefixes = { "distilbert." };
    t.probe = "embeddings.word_embeddings.weight";
    t.tokenEmbedding = "embeddings.word_embeddings.weight";
    t.positionEmbedding = "embeddings.position_embeddings.weight";
    t.embedNormWeight = "embeddings.LayerNorm.weight";
    t.embedNormBias = "embeddings.LayerNorm.bias";
    const std::string p = "transformer.layer.{L}.";
    t.q = p + "attention.q_lin.weight";
    t.qBias = p + "attention.q_lin.bias";
    t.k = p + "attention.k_lin.weight";
    t.kBias = p + "attention.k_lin.bias";
    t.v = p + "attention.v_lin.weight";
    t.vBias = p + "attention.v_lin.bias";
    t.o = p + "attention.out_lin.weight";
    t.oBias = p + "attention.out_lin.bias";
    t.attnNormWeight = p + "sa_layer_norm.weight";
    t.attnNormBias = p + "sa_layer_norm.bias";
    t.up = p + "ffn.lin1.weight";
    t.upBias = p + "ffn.lin1.bias";
    t.down = p + "ffn.lin2.weight";
    t.downBias = p + "ffn.lin2.bias";
    t.mlpNormWeight = p + "output_layer_norm.weight";
    t.mlpNormBias = p + "output_layer_norm.bias";
    return t;
}

} // namespace attn
