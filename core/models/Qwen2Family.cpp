#include "Qwen2Family.h"

#include "LlamaFamily.h"

namespace attn {

TransformerSpec Qwen2Family::spec(const HfConfig& c)
{
    TransformerSpec s = LlamaFamily::spec(c);
    s.qkvBias = true;
    return s;
}

TensorNameTable Qwen2Family::tensorNames()
{
    TensorNameTable t = LlamaFamily::tensorNames();
    const std::string p = "layers.{L}.";
    t.qBias = p + "self_attn.q_proj.bias";
    t.kBias = p + "self_attn.k_proj.bias";
    t.vBias = p + "self_attn.v_proj.bias";
    return t;
}

} // namespace attn
