#pragma once
// A picture as a ViT checkpoint takes it: resized (bilinear, pixel centres aligned, no antialiasing) to
// the config's image_size, scaled to [0, 1] and normalised per channel, channel-major [3, S, S]. The
// mean and std are the Hugging Face image processor's defaults for the family: mean = std = 0.5
// (ViTImageProcessor), ImageNet's (0.485, 0.456, 0.406) / (0.229, 0.224, 0.225) for DeiT
// (DeiTImageProcessor; its resize to 256 and centre crop to 224 are not done: the whole picture is
// resized to image_size). preprocessor_config.json is not read.
#include "HfConfig.h"
#include "ImageBuffer.h"

#include <array>
#include <vector>

namespace attn {

class VitImagePreprocessor {
public:
    struct Normalisation {
        std::array<double, 3> mean { 0.5, 0.5, 0.5 };
        std::array<double, 3> std { 0.5, 0.5, 0.5 };
    };
    static Normalisation normalisationFor(HfArchitecture architecture);
    static std::vector<float> pixels(const ImageBuffer& image, int size, const Normalisation& normalisation);
};

} // namespace attn
