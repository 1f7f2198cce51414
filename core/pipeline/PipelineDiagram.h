#pragma once
// The engine's own computation for a mechanism, as Mermaid `graph TD` source, for the pipeline
// view next to (or instead of) a seed's diagram. Node ids are stage names, so StageBinder binds
// every node exactly; every node binds to a stage that AttentionEngine::compute produces for
// this mechanism:
//
//   input (+ query_input for cross-attention)
//     -> q, k, v              "Q = X W_Q" ...; identity projection: one node q "Q = K = V = X"
//                             (cross: q "Q = Y" and k "K = V = X")
//     -> [additive_tanh]      additive score only: "tanh(W_q q_i + W_k k_j)"      (binds to scores)
//     -> scores               the score formula (bilinear names W_a)
//     -> [masked_scores]      when the scope is local/hybrid, causal or keys are padded:
//                             "mask: local W=2 + causal"...
//     -> weights              the normaliser and temperature ("σ gate" for sigmoid); with
//                             keepScores off there are no scores nodes and this label names the score
//     <- [dynamic]            gate or temperature from the query's input vector x_i
//     -> head_output          one head: the combination ("weighted sum Σ_j a_ij v_j", ...)
//        or subgraph heads    several heads: head_0 .. head_{H-1} ("head h"; for H > 8: head_0, head_1,
//                             head_more "…", head_{H-1}), titled with H and the combination,
//                             -> concat
//     -> [W_O]                learned projections only: "W_O" (binds to output)
//     -> output
#include "Mechanism.h"

#include <string>

namespace attn {

class PipelineDiagram {
public:
    static std::string fromMechanism(const Mechanism& mechanism, bool cross);
};

} // namespace attn
