#pragma once
// Attention of one layer without its N x N maps: queries in blocks (all heads of a kv group together,
// so they share each key block's GEMM), keys in tiles, the softmax kept online per query row (running
// maximum m, sum L = sum_j exp(s_ij - m), rescaled when m grows), so memory is O(block x tile), never
// O(N^2). Alongside it the row statistics the heads grid needs (RowStatistics), and each row's m and L,
// from which any map is recomputed exactly later (a_ij = exp(s_ij - m_i) / L_i, AttentionMaps).
// Parallel (OpenMP) over kv heads x query blocks; Eigen's GEMMs inside run single-threaded.
#include "AttentionRule.h"
#include "HeadStats.h"
#include "Types.h"

#include <vector>

namespace attn {

// Per head h and query row i, at [h * rows + i].
struct RowStatistics {
    int heads = 0;
    int rows = 0;
    std::vector<float> rowMax;         // m_i: the largest (capped, scaled) score of the row
    std::vector<float> rowSum;         // L_i = sum_j exp(s_ij - m_i)
    std::vector<float> entropy;        // -sum_j a_ij ln a_ij = ln L - sum_j exp(s_ij - m)(s_ij - m) / L
    std::vector<float> distance;       // sum_j a_ij |p - j|
    std::vector<float> firstWeight;    // a_i0 (0 when key 0 is masked)
    std::vector<float> previousWeight; // a_i,p-1 (0 for p = 0 or when masked)

    void resize(int headCount, int rowCount);
    size_t at(int head, int row) const { return static_cast<size_t>(head) * rows + row; }
    // The head's summary as HeadStatistics::compute gives it from the map (queries at positions
    // offset .. offset + rows - 1; previous-token mass over positions >= 1).
    HeadStats summary(int head, int queryOffset = 0) const;
};

class StreamingAttention {
public:
    static constexpr int kKeyTile = 128;

    using ConstMatrixRef = Eigen::Ref<const Matrix>;
    // q [N, H*d] for positions queryOffset .. queryOffset + N - 1; k, v [T, H_kv*d] for positions
    // 0 .. T - 1. context [N, H*d] is resized; stats (may be null) is resized and filled.
    static void attend(const ConstMatrixRef& q, const ConstMatrixRef& k, const ConstMatrixRef& v,
        const AttentionRule& rule, Matrix& context, RowStatistics* stats);

    // The exact weights of head `head`, query rows [row0, row1), from the row maxima and sums a pass of
    // attend() left: out is (row1 - row0) x T row-major, masked keys exactly 0. Single-threaded.
    static void weights(const ConstMatrixRef& q, const ConstMatrixRef& k, const AttentionRule& rule, int head,
        const float* rowMax, const float* rowSum, int row0, int row1, float* out);
};

} // namespace attn
