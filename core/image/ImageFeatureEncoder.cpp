#include "ImageFeatureEncoder.h"

#include "ImageGrid.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace attn {

namespace {
// The sRGB transfer function inverted, tabulated for the 256 byte values.
double linearise(uint8_t v)
{
    static const std::array<double, 256> table = [] {
        std::array<double, 256> t {};
        for (int i = 0; i < 256; ++i) {
            const double c = i / 255.0;
            t[static_cast<size_t>(i)] = c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
        }
        return t;
    }();
    return table[v];
}

double labF(double t)
{
    constexpr double delta = 6.0 / 29.0;
    return t > delta * delta * delta ? std::cbrt(t) : t / (3.0 * delta * delta) + 4.0 / 29.0;
}
} // namespace

const char* ImageFeatureEncoder::featureName(int index)
{
    static const char* names[]
        = { "L*", "a*", "b*", "gradient", "cos 2θ", "sin 2θ", "contrast", "row", "col" };
    return index >= 0 && index < 9 ? names[index] : "?";
}

std::array<double, 3> ImageFeatureEncoder::lab(uint8_t r8, uint8_t g8, uint8_t b8)
{
    const double r = linearise(r8), g = linearise(g8), b = linearise(b8);
    const double x = 0.4124564 * r + 0.3575761 * g + 0.1804375 * b;
    const double y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b;
    const double z = 0.0193339 * r + 0.1191920 * g + 0.9503041 * b;
    const double fx = labF(x / 0.95047), fy = labF(y / 1.0), fz = labF(z / 1.08883);
    return { 116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz) };
}

Expected<AttentionInput> ImageFeatureEncoder::encode(const ImageBuffer& image, const ImageOptions& options)
{
    auto grid = ImageGrid::create(image, options.patch, options.fit);
    if (!grid)
        return grid.takeError();
    const int p = grid->patch(), w = grid->width(), h = grid->height();
    const int rows = grid->rows(), cols = grid->cols();

    // One pass for colour: Lab per pixel, summed per cell; only the lightness plane is kept (for
    // Sobel), 8 bytes per covered pixel.
    const size_t cells = static_cast<size_t>(rows) * cols;
    std::vector<double> lPlane(static_cast<size_t>(w) * h);
    std::vector<double> sl(cells, 0.0), sll(cells, 0.0), sa(cells, 0.0), sb(cells, 0.0);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            const auto lab
                = ImageFeatureEncoder::lab(grid->byte(x, y, 0), grid->byte(x, y, 1), grid->byte(x, y, 2));
            const double l = lab[0] / 100.0;
            const size_t cell = static_cast<size_t>(y / p) * cols + static_cast<size_t>(x / p);
            lPlane[static_cast<size_t>(y) * w + x] = l;
            sl[cell] += l;
            sll[cell] += l * l;
            sa[cell] += lab[1] / 100.0;
            sb[cell] += lab[2] / 100.0;
        }
    auto l = [&](int x, int y) {
        x = std::clamp(x, 0, w - 1);
        y = std::clamp(y, 0, h - 1);
        return lPlane[static_cast<size_t>(y) * w + x];
    };
    // A second for gradients.
    std::vector<double> sm(cells, 0.0), scos(cells, 0.0), ssin(cells, 0.0);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            const double gx = (l(x + 1, y - 1) + 2.0 * l(x + 1, y) + l(x + 1, y + 1))
                - (l(x - 1, y - 1) + 2.0 * l(x - 1, y) + l(x - 1, y + 1));
            const double gy = (l(x - 1, y + 1) + 2.0 * l(x, y + 1) + l(x + 1, y + 1))
                - (l(x - 1, y - 1) + 2.0 * l(x, y - 1) + l(x + 1, y - 1));
            const double m = std::sqrt(gx * gx + gy * gy);
            if (m > 0.0) {
                const size_t cell = static_cast<size_t>(y / p) * cols + static_cast<size_t>(x / p);
                sm[cell] += m;
                scos[cell] += (gx * gx - gy * gy) / m;
                ssin[cell] += 2.0 * gx * gy / m;
            }
        }

    const int dim = kFeatureCount + (options.positions ? 2 : 0);
    AttentionInput in;
    in.gridRows = rows;
    in.gridCols = cols;
    in.gridPatch = p;
    in.gridWidth = w;
    in.gridHeight = h;
    in.keys.resize(static_cast<Eigen::Index>(cells), dim);
    in.keyLabels.reserve(cells);
    const double n = static_cast<double>(p) * p;
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
            const size_t cell = static_cast<size_t>(r) * cols + c;
            const auto row = static_cast<Eigen::Index>(cell);
            const double mean = sl[cell] / n;
            in.keys(row, 0) = static_cast<float>(mean);
            in.keys(row, 1) = static_cast<float>(sa[cell] / n);
            in.keys(row, 2) = static_cast<float>(sb[cell] / n);
            in.keys(row, 3) = static_cast<float>(sm[cell] / (4.0 * n));
            in.keys(row, 4) = static_cast<float>(scos[cell] / (4.0 * n));
            in.keys(row, 5) = static_cast<float>(ssin[cell] / (4.0 * n));
            in.keys(row, 6) = static_cast<float>(std::sqrt(std::max(0.0, sll[cell] / n - mean * mean)));
            if (options.positions) {
                in.keys(row, 7) = static_cast<float>((r + 0.5) / rows);
                in.keys(row, 8) = static_cast<float>((c + 0.5) / cols);
            }
            in.keyLabels.push_back(ImageGrid::label(r, c));
        }
    return in;
}

} // namespace attn
