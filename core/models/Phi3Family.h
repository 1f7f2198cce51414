#pragma once
// Phi-3 (Hugging Face modeling_phi3.py) as a spec over the TransformerStack: Llama with the fused
// self_attn.qkv_proj (rows [q; k; v]) and mlp.gate_up_proj (rows [gate; up]), partial rotary
// (partial_rotary_factor: the first int(head_dim * factor) dimensions rotate, rotate_half within them,
// that count also the frequency exponent's denominator) and, when the config has sliding_window, a
// window on every layer.
#include "HfConfig.h"
#include "TensorNameTable.h"
#include "TransformerSpec.h"

namespace attn {

class Phi3Family {
public:
    static TransformerSpec spec(const HfConfig& config);
    static TensorNameTable tensorNames();
};

} // namespace attn
