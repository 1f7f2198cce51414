#pragma once
// s_ij = q_i . k_j / (|q_i| |k_j|); a zero vector scores 0 against everything.
#include "ScoreFunction.h"

namespace attn {

class CosineScore final : public ScoreFunction {
public:
    void compute(ConstMatrixRef q, ConstMatrixRef k, int head, ScoreMap out) const override;
};

} // namespace attn
