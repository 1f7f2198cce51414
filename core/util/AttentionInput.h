#pragma once
// What the engine attends over: a sequence X (N x d) giving keys and values, with one label per
// row; for cross-attention a second sequence Y (M x d) gives the queries (seed 000 §4.3).
#include "Types.h"

#include <optional>
#include <string>
#include <vector>

namespace attn {

struct AttentionInput {
    Matrix keys;                         // X
    std::vector<std::string> keyLabels;
    std::optional<Matrix> queries;       // Y, cross-attention only
    std::vector<std::string> queryLabels;
    std::vector<int> paddedKeys;         // keys masked for every query (e.g. [PAD] tokens)
    // Pictures: the keys form a gridRows x gridCols grid in row-major order (0 x 0: a 1-D sequence);
    // local windows then become 2-D neighbourhoods (max(|dr|, |dc|) <= W).
    int gridRows = 0;
    int gridCols = 0;
    // The cell size in pixels and the pixel area the grid covers (after crop or pad), and seed 003's
    // spatial attention map over the feature grid (one weight per cell; empty for 1-D inputs).
    // The engine copies them into AttentionResult.
    int gridPatch = 0;
    int gridWidth = 0;
    int gridHeight = 0;
    std::vector<float> spatialMap;

    bool isGrid() const { return gridRows > 0 && gridCols > 0; }

    bool isCross() const { return queries.has_value(); }
    const Matrix& queryMatrix() const { return queries ? *queries : keys; }
    const std::vector<std::string>& queryLabelList() const { return queries ? queryLabels : keyLabels; }
};

} // namespace attn
