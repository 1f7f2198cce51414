#include "Phi3Family.h"

#include "LlamaFamily.h"

namespace attn {

TransformerSpec Phi3Family::spec(const HfConfig& c)
{
    return LlamaFamily::spec(c); // partial rotary and the window come from the config
}

TensorNameTable Phi3Family::tensorNames()
{
    TensorNameTable t = LlamaFamily::tensorNames();
    const std::string p = "layers.{L}.";
    t.q = t.k = t.v = "";
    t.qkv = p + "self_attn.qkv_proj.weight";
    t.gate = t.up = "";
    t.gateUp = p + "mlp.gate_up_proj.weight";
    return t;
}

} // namespace attn
