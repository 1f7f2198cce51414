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

std::vector<float> MapDownsampler::maxPoolRegion(const float* map, int cols, int row0, int row1, int col0, int col1,
    int outRows, int outCols, std::pair<float, float>* regionMinMax)
{
    const int rows = std::max(row1 - row0, 1), width = std::max(col1 - col0, 1);
    outRows = std::clamp(outRows, 1, rows);
    outCols = std::clamp(outCols, 1, width);
    std::vector<float> out(static_cast<size_t>(outRows) * outCols, -std::numeric_limits<float>::infinity());
    // Input column c (relative to col0) goes to output column c * outCols / width; the columns of
    // one output column are contiguous, [start[o], start[o + 1]). Computed once, not per cell.
    std::vector<int> start(static_cast<size_t>(outCols) + 1, width);
    for (int c = width - 1; c >= 0; --c)
        start[static_cast<size_t>(static_cast<long long>(c) * outCols / width)] = c;
    // Each output row owns a contiguous band of input rows: no two threads write the same cell.
    // The band is first reduced row by row into one row of column maxima (and minima), a loop
    // the compiler vectorises (`v > m ? v : m` is MAXPS, which keeps m when v is NaN, the same
    // NaN rule as before), so the map is read at memory speed; the short per-output-column
    // reduction then runs once per band on that cached row, not once per input row. Max and min
    // are exact in any order, so the result equals the cell-by-cell scan bit for bit.
    // The region's minimum comes from the same pass (the map is read once).
    const bool wantMin = regionMinMax != nullptr;
    float lo = std::numeric_limits<float>::infinity();
#pragma omp parallel reduction(min : lo)
    {
        std::vector<float> colMax(static_cast<size_t>(width)), colMin(wantMin ? static_cast<size_t>(width) : 0);
#pragma omp for schedule(dynamic, 4)
        for (int orow = 0; orow < outRows; ++orow) {
            const int r0 = row0 + static_cast<int>(static_cast<long long>(orow) * rows / outRows);
            const int r1 = std::max(row0 + static_cast<int>(static_cast<long long>(orow + 1) * rows / outRows), r0 + 1);
            float* const hiRow = colMax.data();
            float* const loRow = colMin.data();
            std::fill(colMax.begin(), colMax.end(), -std::numeric_limits<float>::infinity());
            std::fill(colMin.begin(), colMin.end(), std::numeric_limits<float>::infinity());
            for (int r = r0; r < r1; ++r) {
                const float* src = map + static_cast<size_t>(r) * cols + col0;
                if (wantMin) {
                    for (int c = 0; c < width; ++c) {
                        const float v = src[c];
                        hiRow[c] = v > hiRow[c] ? v : hiRow[c];
                        loRow[c] = v < loRow[c] ? v : loRow[c];
                    }
                } else {
                    for (int c = 0; c < width; ++c) {
                        const float v = src[c];
                        hiRow[c] = v > hiRow[c] ? v : hiRow[c];
                    }
                }
            }
            float* dst = &out[static_cast<size_t>(orow) * outCols];
            for (int o = 0; o < outCols; ++o) {
                float m = dst[o];
                for (int c = start[static_cast<size_t>(o)]; c < start[static_cast<size_t>(o) + 1]; ++c)
                    m = hiRow[c] > m ? hiRow[c] : m;
                dst[o] = m;
            }
            for (int c = 0; c < (wantMin ? width : 0); ++c)
                lo = loRow[c] < lo ? loRow[c] : lo;
        }
    }
    if (regionMinMax) {
        float hi = -std::numeric_limits<float>::infinity();
        for (float v : out)
            hi = v > hi ? v : hi;
        *regionMinMax = {lo, hi};
    }
    return out;
}

std::pair<float, float> MapDownsampler::minMax(const float* map, size_t count, bool positiveOnly)
{
    float lo = std::numeric_limits<float>::infinity(), hi = -std::numeric_limits<float>::infinity();
    const long long n = static_cast<long long>(count);
    if (positiveOnly) {
#pragma omp parallel for reduction(min : lo) reduction(max : hi) schedule(static)
        for (long long k = 0; k < n; ++k) {
            const float v = map[k];
            const float candidate = v > 0.0f ? v : std::numeric_limits<float>::infinity();
            lo = candidate < lo ? candidate : lo;
            hi = v > hi ? v : hi;
        }
    } else {
#pragma omp parallel for reduction(min : lo) reduction(max : hi) schedule(static)
        for (long long k = 0; k < n; ++k) {
            const float v = map[k];
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
    }
    return {lo, hi};
}

} // namespace attn
