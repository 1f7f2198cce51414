#include "MapDownsampler.h"

#include <algorithm>
#include <limits>

namespace attn {

std::vector<float> MapDownsampler::maxPool(const float* map, int rows, int cols, int outRows, int outCols)
{
    outRows = std::clamp(outRows, 1, std::max(rows, 1));
    outCols = std::clamp(outCols, 1, std::max(cols, 1));
    std::vector<float> out(static_cast<size_t>(outRows) * outCols, -std::numeric_limits<float>::infinity());
    for (int r = 0; r < rows; ++r) {
        const int orow = static_cast<int>(static_cast<long long>(r) * outRows / rows);
        float* dst = &out[static_cast<size_t>(orow) * outCols];
        const float* src = map + static_cast<size_t>(r) * cols;
        for (int c = 0; c < cols; ++c) {
            const int ocol = static_cast<int>(static_cast<long long>(c) * outCols / cols);
            dst[ocol] = std::max(dst[ocol], src[c]);
        }
    }
    return out;
}

std::vector<float> MapDownsampler::maxPoolRegion(
    const float* map, int cols, int row0, int row1, int col0, int col1, int outRows, int outCols)
{
    const int rows = std::max(row1 - row0, 1), width = std::max(col1 - col0, 1);
    outRows = std::clamp(outRows, 1, rows);
    outCols = std::clamp(outCols, 1, width);
    std::vector<float> out(static_cast<size_t>(outRows) * outCols, -std::numeric_limits<float>::infinity());
    // Each output row owns a contiguous band of input rows: no two threads write the same cell.
#pragma omp parallel for schedule(dynamic, 4)
    for (int orow = 0; orow < outRows; ++orow) {
        const int r0 = row0 + static_cast<int>(static_cast<long long>(orow) * rows / outRows);
        const int r1 = row0 + static_cast<int>(static_cast<long long>(orow + 1) * rows / outRows);
        float* dst = &out[static_cast<size_t>(orow) * outCols];
        for (int r = r0; r < std::max(r1, r0 + 1); ++r) {
            const float* src = map + static_cast<size_t>(r) * cols;
            for (int c = col0; c < col0 + width; ++c) {
                const int ocol = static_cast<int>(static_cast<long long>(c - col0) * outCols / width);
                dst[ocol] = std::max(dst[ocol], src[c]);
            }
        }
    }
    return out;
}

} // namespace attn
