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

} // namespace attn
