#pragma once
// Where the input comes from, as plain data (filled by the CLI, the GUI's Input panel, samples
// and sessions). InputBuilder turns it into an AttentionInput.
#include "ImageBuffer.h"
#include "ImageOptions.h"
#include "TextTokenizer.h"

#include <cstdint>
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
    // InputKind::Model: whether the maps are captured ([L][H][N][N] held) or made on request from the
    // forward's queries and keys (AttentionResult::maps: memory O(L·N·d) instead of O(L·H·N²), for long
    // prompts). Automatic: on demand once the captured maps would exceed kAutomaticOnDemandBytes or the
    // memory budget (the GUI, whose views read every map through AttentionResult::headMap / copyRows);
    // OnDemand always (the CLI's streamed dump); Captured for consumers that index `weights`.
    enum class MapCapture { Captured, OnDemand, Automatic };
    static constexpr uint64_t kAutomaticOnDemandBytes = 512ull << 20;
    MapCapture mapCapture = MapCapture::Captured;

    // Cross-attention: a second source giving the queries (keys and values come from the above).
    InputKind queryKind = InputKind::Sequence;
    std::string queryText; // empty and queryPath empty: self-attention
    std::string queryPath;

    bool isCross() const { return !queryText.empty() || !queryPath.empty(); }
};

const char* toString(InputKind);

} // namespace attn
