#include "VitImagePreprocessor.h"

#include <algorithm>

namespace attn {

VitImagePreprocessor::Normalisation VitImagePreprocessor::normalisationFor(HfArchitecture architecture)
{
    if (architecture == HfArchitecture::Deit) // IMAGENET_DEFAULT_MEAN, IMAGENET_DEFAULT_STD
        return { { 0.485, 0.456, 0.406 }, { 0.229, 0.224, 0.225 } };
    return {};
}

std::vector<float> VitImagePreprocessor::pixels(const ImageBuffer& image, int size, const Normalisation& n)
{
    // Bilinear resize to S x S with pixel centres aligned (source x = (x + 0.5) * W / S - 0.5), then
    // (v / 255 - mean) / std, channel-major.
    const int S = size;
    std::vector<float> pixels(static_cast<size_t>(3) * S * S);
    const double sx = static_cast<double>(image.width) / S;
    const double sy = static_cast<double>(image.height) / S;
    for (int y = 0; y < S; ++y) {
        const double fy = std::clamp((y + 0.5) * sy - 0.5, 0.0, image.height - 1.0);
        const int y0 = static_cast<int>(fy);
        const int y1 = std::min(y0 + 1, image.height - 1);
        const double wy = fy - y0;
        for (int x = 0; x < S; ++x) {
            const double fx = std::clamp((x + 0.5) * sx - 0.5, 0.0, image.width - 1.0);
            const int x0 = static_cast<int>(fx);
            const int x1 = std::min(x0 + 1, image.width - 1);
            const double wx = fx - x0;
            for (int ch = 0; ch < 3; ++ch) {
                const double v = (1 - wy) * ((1 - wx) * image.at(x0, y0, ch) + wx * image.at(x1, y0, ch)) +
                                 wy * ((1 - wx) * image.at(x0, y1, ch) + wx * image.at(x1, y1, ch));
                pixels[(static_cast<size_t>(ch) * S + y) * S + x] = static_cast<float>(
                    (v / 255.0 - n.mean[static_cast<size_t>(ch)]) / n.std[static_cast<size_t>(ch)]);
            }
        }
    }
    return pixels;
}

} // namespace attn
