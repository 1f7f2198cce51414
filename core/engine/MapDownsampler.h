#pragma once
// Level-of-detail for attention maps too large to draw cell by cell: each output cell is the
// maximum of the input cells it covers, so a single strong weight stays visible however far
// the map is zoomed out.
#include <cstddef>
#include <utility>
#include <vector>

namespace attn {

class MapDownsampler {
public:
    // map: rows x cols row-major. Returns outRows x outCols (each <= the input's size).
    static std::vector<float> maxPool(const float* map, int rows, int cols, int outRows, int outCols);
    // The same over the block [row0, row1) x [col0, col1) of a rows x cols map (the visible part
    // of a zoomed heatmap), parallel over output rows. regionMinMax (optional) receives the
    // block's smallest and largest value from the same pass (NaN skipped; {+inf, -inf} if none).
    static std::vector<float> maxPoolRegion(const float* map, int cols, int row0, int row1, int col0, int col1,
        int outRows, int outCols, std::pair<float, float>* regionMinMax = nullptr);
    // The smallest and largest of `count` values (positiveOnly: the smallest value > 0), parallel.
    // {+inf, -inf} when there is none. NaN values are skipped.
    static std::pair<float, float> minMax(const float* map, size_t count, bool positiveOnly);
};

} // namespace attn
