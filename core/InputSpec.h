#pragma once
// Where the input comes from, as plain data (filled by the CLI, the GUI's Input panel, samples
// and sessions). InputBuilder turns it into an AttentionInput.
#include "ImageBuffer.h"
#include "TextTokenizer.h"

#include <memory>
#include <optional>
#include <string>

namespace attn {

enum class InputKind {
    Text,         // `text` is the text
    TextFile,     // `path` is a UTF-8 text file
    Sequence,     // `text` is an inline sequence "1,2,3" or "1,2;2,3"
    SequenceFile, // `path` is a CSV or .npy file
    Model,        // `path` is a checkpoint file or folder, `text` the prompt (ModelRunner)
    Image,        // `path` names the picture; `image` holds its pixels, decoded by ui/ (ImageDecoder)
};

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

struct InputSpec {
    InputKind kind = InputKind::Text;
    std::string text;
    std::string path;
    TokenizerKind tokenizer = TokenizerKind::Word;
    bool positions = false; // add sinusoidal positions to text embeddings

    // InputKind::Image: the decoded picture (already at the working size) and how to encode it.
    std::shared_ptr<const ImageBuffer> image;
    ImageOptions imageOptions;
    // InputKind::Image through a real vision transformer: a ViT checkpoint (Hugging Face folder or
    // .safetensors) the picture is run through instead of the engine's encoders ("" : the engine).
    std::string modelPath;

    // Cross-attention: a second source giving the queries (keys and values come from the above).
    InputKind queryKind = InputKind::Sequence;
    std::string queryText; // empty and queryPath empty: self-attention
    std::string queryPath;

    bool isCross() const { return !queryText.empty() || !queryPath.empty(); }
};

const char* toString(InputKind);
const char* toString(ImageEncoding); // "patches", "features"
const char* toString(ImageFit);      // "crop", "pad"
std::optional<ImageEncoding> parseImageEncoding(const std::string&);
std::optional<ImageFit> parseImageFit(const std::string&);

} // namespace attn
