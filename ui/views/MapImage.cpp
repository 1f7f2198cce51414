#include "MapImage.h"

#include "MapDownsampler.h"
#include "MaskSpec.h"

QImage MapImage::render(const float* map, int rows, int cols, const attn::MaskSpec* mask, const ColorMap& colors,
    double lo, double hi, int maxSide)
{
    const int outRows = std::min(rows, maxSide), outCols = std::min(cols, maxSide);
    const bool pooled = outRows != rows || outCols != cols;
    std::vector<float> pooledMap;
    if (pooled)
        pooledMap = attn::MapDownsampler::maxPool(map, rows, cols, outRows, outCols);
    const float* data = pooled ? pooledMap.data() : map;
    QImage image(outCols, outRows, QImage::Format_RGB32);
    const double span = hi > lo ? hi - lo : 1.0;
    const bool checkMask = mask && !mask->isTrivial() && !pooled;
    const QRgb masked = ColorMap::maskedColor().rgb();
    for (int r = 0; r < outRows; ++r) {
        auto* line = reinterpret_cast<QRgb*>(image.scanLine(r));
        for (int c = 0; c < outCols; ++c) {
            if (checkMask && mask->isMasked(r, c)) {
                line[c] = masked;
                continue;
            }
            line[c] = colors.color((data[static_cast<size_t>(r) * outCols + c] - lo) / span);
        }
    }
    return image;
}
