#include "Gpt2Family.h"

#include "ModelFamily.h"

namespace attn {

TransformerSpec Gpt2Family::spec(const HfConfig& c)
{
    TransformerSpec s = ModelFamily::sizedFrom(c);
    s.norm = NormType::LayerNorm;
    s.positions = PositionKind::Learned;
    s.qkvBias = s.outputBias = true;
    s.causal = true;
    s.mlp = MlpKind::GeluTanh;
    s.mlpBias = true;
    s.hasHead = s.tiedHead = true;
    s.stopTokens = c.eosTokenIds;
    return s;
}

TensorNameTable Gpt2Family::tensorNames()
{
    TensorNameTable t;
    t.prefixes = { "transformer." };
    t.probe = "wte.weight";
    t.transposed = true; // Conv1D
    t.tokenEmbedding = "wte.weight";
    t.positionEmbedding = "wpe.weight";
    const std::string p = "h.{L}.";
    t.attnNormWeight = p + "ln_1.weight";
    t.attnNormBias = p + "ln_1.bias";
    t.qkv = p + "attn.c_attn.weight";
    t.qkvBias = p + "attn.c_attn.bias";
    t.o = p + "attn.c_proj.weight";
    t.oBias = p + "attn.c_proj.bias";
    t.mlpNormWeight = p + "ln_2.weight";
    t.mlpNormBias = p + "ln_2.bias";
    t.up = p + "mlp.c_fc.weight";
    t.upBias = p + "mlp.c_fc.bias";
    t.down = p + "mlp.c_proj.weight";
    t.downBias = p + "mlp.c_proj.bias";
    t.finalNormWeight = "ln_f.weight";
    t.finalNormBias = "ln_f.bias";
    return t;
}

} // namespace attn
