#pragma once
// Turns an attention map into a QImage through a colour map, for the views that paint maps
// themselves (heads grid, diff, exports). Large maps are max-pooled (core MapDownsampler) to at
// most maxSide pixels per side; masked cells get ColorMap::maskedColor().
#include "ColorMap.h"

#include <QImage>

namespace attn {
class MaskSpec;
}

class MapImage {
public:
    static QImage render(const float* map, int rows, int cols, const attn::MaskSpec* mask, const ColorMap& colors,
        double lo, double hi, int maxSide = 512);
};
