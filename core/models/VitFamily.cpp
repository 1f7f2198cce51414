#include "VitFamily.h"

#include "ModelFamily.h"

namespace attn {

TransformerSpec VitFamily::spec(const HfConfig& c)
{
    TransformerSpec s = ModelFamily::sizedFrom(c);
    s.norm = NormType::LayerNorm;
    s.finalNorm = false;
    s.positions = PositionKind::Learned;
    s.qkvBias = c.qkvBias;
    s.outputBias = true;
    s.mlp = MlpKind::GeluErf;
    s.mlpBias = true;
    return s;
}

TensorNameTable VitFamily::tensorNames()
{
    TensorNameTable t;
    t.prefixes = { "vit." };
    t.probe = "embeddings.cls_token";
    t.weightsBeforeBiases = true;
    const std::string p = "encoder.layer.{L}.";
    t.attnNormWeight = p + "layernorm_before.weight";
    t.attnNormBias = p + "layernorm_before.bias";
    t.q = p + "attention.attention.query.weight";
    t.k = p + "attention.attention.key.weight";
    t.v = p + "attention.attention.value.weight";
    t.qBias = p + "attention.attention.query.bias";
    t.kBias = p + "attention.attention.key.bias";
    t.vBias = p + "attention.attention.value.bias";
    t.o = p + "attention.output.dense.weight";
    t.oBias = p + "attention.output.dense.bias";
    t.mlpNormWeight = p + "layernorm_after.weight";
    t.mlpNormBias = p + "layernorm_after.bias";
    t.up = p + "intermediate.dense.weight";
    t.upBias = p + "intermediate.dense.bias";
    t.down = p + "output.dense.weight";
    t.downBias = p + "output.dense.bias";
    return t;
}

} // namespace attn
