#pragma once
// The cell grid a picture is cut into, shared by ImagePatchEncoder and ImageFeatureEncoder.
//
// The picture (W x H pixels) is cut into P x P cells, rows = H / P, cols = W / P, cell index
// r * cols + c (row-major), label "r,c". The grid is anchored at the top-left pixel:
//   Crop: rows = floor(H / P), cols = floor(W / P); the last W mod P columns and H mod P rows of
//         pixels (right and bottom edges) are left out. Top-left, not centred, so that the grid
//         covers pixels [0, cols*P) x [0, rows*P) of the working image with no offset to carry.
//   Pad:  rows = ceil(H / P), cols = ceil(W / P); pixels beyond the right and bottom edges repeat
//         the nearest edge pixel (clamp to edge), so padding adds no artificial edge (a constant
//         colour would put a fake gradient along the border of the feature grid).
// Pixel values are scaled to [0, 1] (v / 255).
//
// Validation (each a message naming the numbers): an invalid buffer, a picture of more than
// kMaxPixels (the decoder downscales to a working size long before that; the encoders keep
// per-pixel planes), P < 1, a picture smaller than one cell (W < P or H < P, with either fit)
// and more than kMaxCells cells.
#include "Expected.h"
#include "ImageBuffer.h"
#include "ImageOptions.h"

#include <cstdint>
#include <string>

namespace attn {

class ImageGrid {
public:
    static constexpr int kMaxCells = 65536;
    static constexpr int64_t kMaxPixels = 1LL << 26; // 64 Mpixel, e.g. 8192 x 8192

    static Expected<ImageGrid> create(const ImageBuffer& image, int patch, ImageFit fit);

    int rows() const { return m_rows; }
    int cols() const { return m_cols; }
    int cells() const { return m_rows * m_cols; }
    int patch() const { return m_patch; }
    int width() const { return m_cols * m_patch; } // pixels covered, after crop or pad
    int height() const { return m_rows * m_patch; }

    // Pixel (x, y) of the covered area, channel 0..2: the byte, and the value in [0, 1] (byte / 255).
    // Padding clamps to the edge.
    uint8_t byte(int x, int y, int channel) const;
    float value(int x, int y, int channel) const { return static_cast<float>(byte(x, y, channel)) / 255.0f; }
    static std::string label(int row, int col) { return std::to_string(row) + "," + std::to_string(col); }

private:
    ImageGrid(const ImageBuffer& image, int patch, int rows, int cols)
        : m_image(&image)
        , m_patch(patch)
        , m_rows(rows)
        , m_cols(cols)
    {
    }

    const ImageBuffer* m_image = nullptr; // not owned: a grid lives only while its image does
    int m_patch = 1;
    int m_rows = 0;
    int m_cols = 0;
};

} // namespace attn
