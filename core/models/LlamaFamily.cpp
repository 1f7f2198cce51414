#include "LlamaFamily.h"

#include "ModelFamily.h"

namespace attn {

TransformerSpec LlamaFamily::spec(const HfConfig& c)
{
    TransformerSpec s = ModelFamily::sizedFrom(c);
    s.norm = NormType::RmsNorm;
    s.positions = PositionKind::RopeHalf;
    s.rope.theta = c.ropeTheta;
    s.rope.rotaryDims = c.rotaryDims;
    s.rope.scaling = c.ropeScaling;
    s.rope.factor = c.ropeFactor;
    s.rope.lowFrequencyFactor = c.ropeLowFrequencyFactor;
    s.rope.highFrequencyFactor = c.ropeHighFrequencyFactor;
    s.rope.originalContext = c.ropeOriginalContext;
    s.causal = true;
    if (c.slidingWindow > 0) {
        s.slidingWindow = c.slidingWindow;
        s.slidingLayers = SlidingLayers::Listed;
        s.slidingLayerMask = c.slidingLayers;
    }
    s.mlp = MlpKind::SwiGlu;
    s.hasHead = true;
    s.tiedHead = c.tieWordEmbeddings;
    s.stopTokens = c.eosTokenIds;
    return s;
}

TensorNameTable LlamaFamily::tensorNames()
{
    TensorNameTable t;
    t.prefixes = { "model." };
    t.probe = "embed_tokens.weight";
    t.tokenEmbedding = "embed_tokens.weight";
    const std::string p = "layers.{L}.";
    t.attnNormWeight = p + "input_layernorm.weight";
    t.q = p + "self_attn.q_proj.weight";
    t.k = p + "self_attn.k_proj.weight";
    t.v = p + "self_attn.v_proj.weight";
    t.o = p + "self_attn.o_proj.weight";
    t.mlpNormWeight = p + "post_attention_layernorm.weight";
    t.gate = p + "mlp.gate_proj.weight";
    t.up = p + "mlp.up_proj.weight";
    t.down = p + "mlp.down_proj.weight";
    t.finalNormWeight = "norm.weight";
    t.head = "lm_head.weight";
    return t;
}

} // namespace attn
