#pragma once
// The heads grid's pictures of one layer without holding any head's whole map: each head's map
// max-pooled to side x side cells (as MapDownsampler::maxPool of the exact map, bit for bit), and the
// mean of the layer's heads pooled the same way with its statistics (HeadStatistics of the mean map).
// One pass over the layer in tiles of 64 rows, parallel over tiles: a held map is read, a long
// prompt's map (AttentionResult::maps) is made a tile at a time and never enters the maps' cache.
// `cancel` (optional) is polled between tiles; a cancelled pass returns nullopt.
#include "AttentionResult.h"
#include "HeadStats.h"

#include <atomic>
#include <optional>
#include <vector>

namespace attn {

struct LayerThumbnails {
    int rows = 0; // min(Nq, side)
    int cols = 0; // min(Nk, side)
    std::vector<std::vector<float>> heads; // one per requested head, rows x cols
    std::vector<float> mean;               // rows x cols when asked, else empty
    HeadStats meanStats;
};

class HeadThumbnails {
public:
    static std::optional<LayerThumbnails> compute(const AttentionResult& result, int layer,
        const std::vector<int>& heads, bool withMean, int side, const std::atomic<bool>* cancel = nullptr);
};

} // namespace attn
