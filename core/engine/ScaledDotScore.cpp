#include "ScaledDotScore.h"

#include <cmath>

namespace attn {

void ScaledDotScore::compute(ConstMatrixRef q, ConstMatrixRef k, int, ScoreMap out) const
{
    const float scale = 1.0f / std::sqrt(static_cast<float>(q.cols()));
    // Scaling Q before the product (as PyTorch does) touches Nq x d_k values instead of Nq x Nk.
    out.noalias() = (q * scale) * k.transpose();
}

} // namespace attn
