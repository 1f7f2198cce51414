#pragma once
// A picture as a ViT checkpoint takes it: resized (bilinear, pixel centres aligned, no antialiasing) to
// the config's image_size, scaled to [0, 1] and normalised with mean = std = 0.5 per channel (HF
// ViTImageProcessor's defaults), channel-major [3, S, S].
#include "ImageBuffer.h"

#include <vector>

namespace attn {

class VitImagePreprocessor {
public:
    static std::vector<float> pixels(const ImageBuffer& image, int size);
};

} // namespace attn
