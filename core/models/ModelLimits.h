#pragma once
// The largest sizes a model's config or metadata may give before anything is allocated from them
// (far above any real checkpoint; a hostile file gets a message instead of a huge allocation).
#include <cstdint>

namespace attn::limits {

constexpr int64_t kMaxHidden = 65536;
constexpr int64_t kMaxLayers = 1024;
constexpr int64_t kMaxHeads = 1024;
constexpr int64_t kMaxVocab = 10'000'000;
constexpr int64_t kMaxPositions = 1'048'576;
constexpr int64_t kMaxIntermediate = 1'048'576;

} // namespace attn::limits
