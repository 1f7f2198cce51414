#pragma once
// s_ij = q_i . k_j  (seeds 000, 004)
#include "ScoreFunction.h"

namespace attn {

class DotScore final : public ScoreFunction {
public:
    void compute(ConstMatrixRef q, ConstMatrixRef k, int head, ScoreMap out) const override;
};

} // namespace attn
