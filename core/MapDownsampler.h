#pragma once
// Level-of-detail for attention maps too large to draw cell by cell: each output cell is the
// maximum of the input cells it covers, so a single strong weight stays visible however far
// the map is zoomed out.
#include <vector>

namespace attn {

class MapDownsampler {
public:
    // map: rows x cols row-major. Returns outRows x outCols (each <= the input's size).
    static std::vector<float> maxPool(const float* map, int rows, int cols, int outRows, int outCols);
};

} // namespace attn
