#include "BertFamily.h"

#include "ModelFamily.h"

namespace attn {

TransformerSpec BertFamily::spec(const HfConfig& c)
{
    TransformerSpec s = ModelFamily::sizedFrom(c);
    s.norm = NormType::LayerNorm;
    s.placement = NormPlacement::Post;
    s.embeddingNorm = true;
    s.finalNorm = false;
    s.positions = PositionKind::Learned;
    s.tokenTypeZero = true;
    s.tokenTypeRows = c.typeVocabSize;
    s.qkvBias = s.outputBias = true;
    s.mlp = MlpKind::GeluErf;
    s.mlpBias = true;
    return s;
}

TensorNameTable BertFamily::tensorNames()
{
    TensorNameTable t;
    t.prefixes = { "bert." };
    t.probe = "embeddings.word_embeddings.weight";
    t.tokenEmbedding = "embeddings.word_embeddings.weight";
    t.positionEmbedding = "embeddings.position_embeddings.weight";
    t.tokenTypeEmbedding = "embeddings.token_type_embeddings.weight";
    t.embedNormWeight = "embeddings.LayerNorm.weight";
    t.embedNormBias = "embeddings.LayerNorm.bias";
    const std::string p = "encoder.layer.{L}.";
    t.q = p + "attention.self.query.weight";
    t.qBias = p + "attention.self.query.bias";
    t.k = p + "attention.self.key.weight";
    t.kBias = p + "attention.self.key.bias";
    t.v = p + "attention.self.value.weight";
    t.vBias = p + "attention.self.value.bias";
    t.o = p + "attention.output.dense.weight";
    t.oBias = p + "attention.output.dense.bias";
    t.attnNormWeight = p + "attention.output.LayerNorm.weight";
    t.attnNormBias = p + "attention.output.LayerNorm.bias";
    t.up = p + "intermediate.dense.weight";
    t.upBias = p + "intermediate.dense.bias";
    t.down = p + "output.dense.weight";
    t.downBias = p + "output.dense.bias";
    t.mlpNormWeight = p + "output.LayerNorm.weight";
    t.mlpNormBias = p + "output.LayerNorm.bias";
    return t;
}

} // namespace attn
