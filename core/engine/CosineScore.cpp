#include "CosineScore.h"

namespace attn {

namespace {
Matrix normalisedRows(ConstMatrixRef m)
{
    Matrix n = m;
    for (Eigen::Index r = 0; r < n.rows(); ++r) {
        const float norm = n.row(r).norm();
        if (norm > 0.0f)
            n.row(r) /= norm;
        else
            n.row(r).setZero();
    }
    return n;
}
} // namespace

void CosineScore::compute(ConstMatrixRef q, ConstMatrixRef k, int, ScoreMap out) const
{
    out.noalias() = normalisedRows(q) * normalisedRows(k).transpose();
}

} // namespace attn
