#pragma once
// Bahdanau's additive score: s_ij = v^T tanh(W_q q_i + W_k k_j), per head (seeds 000, 002, 004).
// Costs Nq x Nk x d_k tanh evaluations: the projections W_q q and W_k k are computed once.
#include "ScoreFunction.h"

#include <vector>

namespace attn {

class AdditiveScore final : public ScoreFunction {
public:
    AdditiveScore(std::vector<Matrix> wq, std::vector<Matrix> wk, std::vector<Vector> v)
        : m_wq(std::move(wq)), m_wk(std::move(wk)), m_v(std::move(v)) {}
    void compute(ConstMatrixRef q, ConstMatrixRef k, int head, ScoreMap out) const override;

private:
    std::vector<Matrix> m_wq, m_wk;
    std::vector<Vector> m_v;
};

} // namespace attn
