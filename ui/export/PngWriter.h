#pragma once
// Writes a QImage as PNG with libpng directly, tuned for exported figures: 8-bit RGB (exports are
// drawn on white, no alpha channel), the "Up" row filter for every row (Qt's writer lets libpng
// try all five per row: most of its time on a 4096 x 4096 map; a heatmap drawn larger than its
// cells repeats rows, which "Up" turns into zeros) and zlib's fastest level. Measured with
// attnscope-gui-bench on a loaded machine: 4096 x 4096 heatmap 2.2 s -> 0.97 s, 1444 -> 1339 KiB.
// The resolution is stored (pHYs) so a 300 dpi export prints at its size.
#include <QByteArray>
#include <QImage>
#include <QString>

class PngWriter {
public:
    // Appends the PNG file of `image` to `out`. Returns "" or what went wrong.
    static QString write(const QImage& image, QByteArray& out);
};
