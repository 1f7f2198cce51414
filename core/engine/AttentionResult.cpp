#include "AttentionResult.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <limits>

namespace attn {

namespace {
Tensor fromMatrix(const std::string& name, const Matrix& m)
{
    Tensor t{name, {m.rows(), m.cols()}, {}};
    t.data.assign(m.data(), m.data() + m.size());
    return t;
}
} // namespace

void AttentionResult::copyRows(int layer, int head, int row0, int row1, float* out) const
{
    if (maps) {
        maps->rows(layer, head, row0, row1, out);
        return;
    }
    const float* from = weights.data() + index(layer, head, row0, 0);
    std::copy(from, from + static_cast<size_t>(row1 - row0) * static_cast<size_t>(keyCount), out);
}

void AttentionResult::copyMap(int layer, int head, float* out) const
{
    constexpr int kTileRows = 64;
    const int tiles = (queryCount + kTileRows - 1) / kTileRows;
#pragma omp parallel for schedule(dynamic, 1) if (maps && tiles > 1)
    for (int tile = 0; tile < tiles; ++tile) {
        const int r0 = tile * kTileRows, r1 = std::min(queryCount, r0 + kTileRows);
        copyRows(layer, head, r0, r1, out + static_cast<size_t>(r0) * static_cast<size_t>(keyCount));
    }
}

Status AttentionResult::checkDerivedMaps(const std::string& what, int rows, int cols) const
{
    if (!maps)
        return Done{};
    const uint64_t need = static_cast<uint64_t>(layers) * static_cast<uint64_t>(heads) * static_cast<uint64_t>(rows)
        * static_cast<uint64_t>(cols) * sizeof(float);
    if (need <= maps->budgetBytes())
        return Done{};
    auto mb = [](uint64_t bytes) {
        char buf[48];
        std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / (1024.0 * 1024.0));
        return std::string(buf);
    };
    return makeError(what + " holds every map of " + std::to_string(layers) + " layers x " + std::to_string(heads)
        + " heads (" + std::to_string(rows) + " x " + std::to_string(cols) + " tokens): " + mb(need)
        + ", more than the memory budget of " + mb(maps->budgetBytes())
        + "; this prompt's maps are made one head at a time: look at single heads, or use a shorter prompt");
}

Expected<AttentionResult::HeadMap> AttentionResult::headMap(int layer, int head) const
{
    if (layer < 0 || layer >= layers || head < 0 || head >= heads)
        return makeError("there is no head " + std::to_string(head) + " in layer " + std::to_string(layer) + " (the result has "
            + std::to_string(layers) + " layer(s) x " + std::to_string(heads) + " head(s))");
    if (maps) {
        auto map = maps->map(layer, head);
        if (!map)
            return map.takeError();
        const float* data = (*map)->data();
        return HeadMap(std::move(*map), data); // shares the map's ownership
    }
    if (weights.size() < index(layer, head, 0, 0) + static_cast<size_t>(queryCount) * static_cast<size_t>(keyCount))
        return makeError("the attention weights do not match the result's shape");
    return HeadMap(HeadMap(), weightRow(layer, head, 0)); // a view: owns nothing
}

std::vector<std::string> AttentionResult::stageNames() const
{
    // Checkpoint results carry only the weights: stages without data are not listed.
    std::vector<std::string> names;
    if (input.size() > 0)
        names.push_back("input");
    if (!spatialMap.empty())
        names.push_back("spatial_map");
    if (cross)
        names.push_back("query_input");
    if (q.size() > 0)
        names.insert(names.end(), {"q", "k", "v"});
    if (hasScores()) {
        names.push_back("scores");
        if (!mask.isTrivial())
            names.push_back("masked_scores");
    }
    names.push_back("weights");
    if (dynamic.size() > 0)
        names.push_back("dynamic");
    if (!headOutputs.empty())
        names.push_back("head_output");
    if (concat.size() > 0)
        names.insert(names.end(), {"concat", "output"});
    return names;
}

std::optional<Tensor> AttentionResult::stage(const std::string& name) const
{
    const std::vector<int64_t> mapShape{layers, heads, queryCount, keyCount};
    if (name == "input")
        return fromMatrix(name, input);
    if (name == "spatial_map" && !spatialMap.empty())
        return Tensor{name, {gridRows, gridCols}, spatialMap};
    if (name == "query_input" && cross)
        return fromMatrix(name, queryInput);
    if (name == "q")
        return fromMatrix(name, q);
    if (name == "k")
        return fromMatrix(name, k);
    if (name == "v")
        return fromMatrix(name, v);
    if (name == "weights" && !maps) // on demand there is no whole tensor; a head is one headMap() away
        return Tensor{name, mapShape, weights};
    if (name == "scores" && hasScores())
        return Tensor{name, mapShape, scores};
    if (name == "masked_scores" && hasScores()) {
        Tensor t{name, mapShape, scores};
        for (int l = 0; l < layers; ++l)
            for (int h = 0; h < heads; ++h)
                for (int i = 0; i < queryCount; ++i)
                    for (int j = 0; j < keyCount; ++j)
                        if (mask.isMasked(i, j))
                            t.data[index(l, h, i, j)] = -std::numeric_limits<float>::infinity();
        return t;
    }
    if (name == "dynamic" && dynamic.size() > 0) {
        Tensor t{name, {dynamic.size()}, {}};
        t.data.assign(dynamic.data(), dynamic.data() + dynamic.size());
        return t;
    }
    if (name == "head_output" && !headOutputs.empty()) {
        const auto rows = headOutputs.front().rows();
        Tensor t{name, {heads, rows, headDim}, {}};
        for (const Matrix& m : headOutputs)
            t.data.insert(t.data.end(), m.data(), m.data() + m.size());
        return t;
    }
    if (name == "concat")
        return fromMatrix(name, concat);
    if (name == "output")
        return fromMatrix(name, output);
    return std::nullopt;
}

} // namespace attn
