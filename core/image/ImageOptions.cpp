#include "ImageOptions.h"

namespace attn {

const char* toString(ImageEncoding e) { return e == ImageEncoding::Patches ? "patches" : "features"; }
const char* toString(ImageFit f) { return f == ImageFit::Crop ? "crop" : "pad"; }

std::optional<ImageEncoding> parseImageEncoding(const std::string& s)
{
    if (s == "patches")
        return ImageEncoding::Patches;
    if (s == "features")
        return ImageEncoding::Features;
    return std::nullopt;
}

std::optional<ImageFit> parseImageFit(const std::string& s)
{
    if (s == "crop")
        return ImageFit::Crop;
    if (s == "pad")
        return ImageFit::Pad;
    return std::nullopt;
}

} // namespace attn
