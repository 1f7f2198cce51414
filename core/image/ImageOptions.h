#pragma once
// How a picture becomes a sequence of vectors: the options of the picture encoders (ImageGrid,
// ImagePatchEncoder, ImageFeatureEncoder), as plain data.
#include <optional>
#include <string>

namespace attn {

// How a picture becomes a sequence of vectors (one per grid cell, row-major: index = r * cols + c).
enum class ImageEncoding {
    Patches,  // ViT style: each P x P patch's pixels (optionally downsampled) [+ 2-D sinusoidal position]
    Features, // CNN style: fixed per-cell features (perceptual colour, gradient, contrast)
};
// When the picture's size is not a multiple of the patch size (ImageGrid): Crop drops the last
// W mod P columns and H mod P rows (right and bottom; the grid starts at the top-left pixel), Pad
// extends the picture to whole cells by repeating its right and bottom edge pixels.
enum class ImageFit { Crop, Pad };

struct ImageOptions {
    int patch = 16;           // P: cell size in pixels
    ImageEncoding encoding = ImageEncoding::Patches;
    ImageFit fit = ImageFit::Crop;
    bool positions = true;    // add a 2-D sinusoidal position to each cell's vector
    int patchPixels = 0;      // Patches: average-pool each patch to k x k pixels first (0: all P x P;
                              // k must divide P). Features ignore it.
};

const char* toString(ImageEncoding); // "patches", "features"
const char* toString(ImageFit);      // "crop", "pad"
std::optional<ImageEncoding> parseImageEncoding(const std::string&);
std::optional<ImageFit> parseImageFit(const std::string&);

} // namespace attn
