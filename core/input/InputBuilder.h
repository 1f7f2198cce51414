#pragma once
// InputSpec -> AttentionInput: tokenises and embeds text (TextTokenizer, TextEmbedder; the
// embedding dimension is the mechanism's `dim`, 64 when 0), parses inline sequences and reads
// CSV / .npy files (SequenceParser). [PAD] tokens become padded keys.
// Pictures (InputKind::Image) are encoded from the already decoded `spec.image` by
// ImagePatchEncoder or ImageFeatureEncoder (ImageOptions::encoding); the grid shape is set and
// seed 003's spatial map (SpatialAttentionMap) is computed over the feature grid for both
// encodings (features without positions, same patch size and fit). A picture attends over itself:
// cross-attention with a picture is refused.
#include "AttentionInput.h"
#include "Expected.h"
#include "InputSpec.h"

namespace attn {

class InputBuilder {
public:
    static Expected<AttentionInput> build(const InputSpec& spec, int embeddingDim);

    static constexpr uint64_t kMaxTextBytes = 64ULL << 20;
};

} // namespace attn
