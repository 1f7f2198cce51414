#include "ImageGrid.h"

#include <algorithm>
#include <sstream>

namespace attn {

Expected<ImageGrid> ImageGrid::create(const ImageBuffer& image, int patch, ImageFit fit)
{
    if (!image.isValid()) {
        std::ostringstream msg;
        msg << "the decoded image is invalid (" << image.width << " x " << image.height << " pixels with "
            << image.rgb.size() << " bytes of RGB; expected width x height x 3)";
        return makeError(msg.str());
    }
    if (static_cast<int64_t>(image.width) * image.height > kMaxPixels) {
        std::ostringstream msg;
        msg << "the image is " << image.width << " x " << image.height << " pixels, more than the "
            << kMaxPixels << " pixels the encoders accept: scale it down first";
        return makeError(msg.str());
    }
    if (patch < 1)
        return makeError("the patch size P must be at least 1 pixel (got " + std::to_string(patch) + ")");
    if (image.width < patch || image.height < patch) {
        std::ostringstream msg;
        msg << "the image (" << image.width << " x " << image.height << " pixels) is smaller than one patch ("
            << patch << " x " << patch << "): choose a patch size of at most "
            << std::min(image.width, image.height);
        return makeError(msg.str());
    }
    const int64_t rows = fit == ImageFit::Crop ? image.height / patch : (image.height + patch - 1) / patch;
    const int64_t cols = fit == ImageFit::Crop ? image.width / patch : (image.width + patch - 1) / patch;
    if (rows * cols > kMaxCells) {
        std::ostringstream msg;
        msg << "a patch size of " << patch << " cuts the " << image.width << " x " << image.height
            << " image into " << rows << " x " << cols << " = " << rows * cols << " cells, more than the "
            << kMaxCells << " allowed: choose a larger patch size";
        return makeError(msg.str());
    }
    return ImageGrid(image, patch, static_cast<int>(rows), static_cast<int>(cols));
}

uint8_t ImageGrid::byte(int x, int y, int channel) const
{
    return m_image->at(std::min(x, m_image->width - 1), std::min(y, m_image->height - 1), channel);
}

} // namespace attn
