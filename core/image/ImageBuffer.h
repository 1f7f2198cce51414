#pragma once
// A decoded picture as plain data: row-major RGB, 3 bytes per pixel, no padding between rows.
// Decoding (PNG, JPEG, ...) and downscaling to the working size happen in ui/ (ImageDecoder, Qt);
// core/ only ever sees this buffer, so the encoders stay Qt-free and testable on synthetic images.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace attn {

struct ImageBuffer {
    int width = 0;
    int height = 0;
    std::vector<uint8_t> rgb; // width * height * 3
    std::string sourceName;   // file name for labels and messages
    int originalWidth = 0;    // before the decoder's downscale to the working size (0: not scaled)
    int originalHeight = 0;

    bool isValid() const
    {
        return width > 0 && height > 0 && rgb.size() == static_cast<size_t>(width) * static_cast<size_t>(height) * 3;
    }
    uint8_t at(int x, int y, int channel) const
    {
        return rgb[(static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)) * 3 + channel];
    }
};

} // namespace attn
