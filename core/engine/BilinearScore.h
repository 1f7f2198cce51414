#pragma once
// s_ij = q_i^T W_a k_j (seed 002's quadratic form), W_a per head; identity by default.
#include "ScoreFunction.h"

#include <vector>

namespace attn {

class BilinearScore final : public ScoreFunction {
public:
    explicit BilinearScore(std::vector<Matrix> wa) : m_wa(std::move(wa)) {}
    void compute(ConstMatrixRef q, ConstMatrixRef k, int head, ScoreMap out) const override;

private:
    std::vector<Matrix> m_wa;
};

} // namespace attn
