#pragma once
// s_ij = q_i . k_j / sqrt(d_k)  (seeds 000, 001, 003, 004; Vaswani et al.)
#include "ScoreFunction.h"

namespace attn {

class ScaledDotScore final : public ScoreFunction {
public:
    void compute(ConstMatrixRef q, ConstMatrixRef k, int head, ScoreMap out) const override;
};

} // namespace attn
