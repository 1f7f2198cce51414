#include "AdditiveScore.h"

#include <cmath>

namespace attn {

void AdditiveScore::compute(ConstMatrixRef q, ConstMatrixRef k, int head, ScoreMap out) const
{
    const auto h = static_cast<size_t>(head);
    const Matrix pq = q * m_wq[h].transpose(); // Nq x d_a
    const Matrix pk = k * m_wk[h].transpose(); // Nk x d_a
    const Vector& v = m_v[h];
    const Eigen::Index nq = pq.rows(), nk = pk.rows(), da = pq.cols();
    // Not parallel here: the engine already runs one (head, row block) per thread.
    for (Eigen::Index i = 0; i < nq; ++i) {
        const float* qi = pq.row(i).data();
        for (Eigen::Index j = 0; j < nk; ++j) {
            const float* kj = pk.row(j).data();
            float s = 0.0f;
            for (Eigen::Index c = 0; c < da; ++c)
                s += v[c] * std::tanh(qi[c] + kj[c]);
            out(i, j) = s;
        }
    }
}

} // namespace attn
