#pragma once
// Which (query, key) cells the scope and masks hide. Computed from the mechanism, never stored as
// an N x N matrix: views ask isMasked(i, j) for any cell, the engine fills one row at a time.
//
// Pictures (self-attention over a gridRows x gridCols grid of cells, index = r * gridCols + c):
// the local and hybrid windows become 2-D neighbourhoods, key j is in query i's window when
// max(|r_i - r_j|, |c_i - c_j|) <= W (a (2W+1) x (2W+1) square, cut at the grid's edges). The
// hybrid scope's global tokens stay the first G cells in row-major order, and causal stays 1-D
// in row-major order (j <= i). Without a grid (0 x 0) or when the grid does not match the query
// and key counts (cross-attention), windows are 1-D: |i - j| <= W.
//
// Token views (dropped tokens, subwords merged into words) regroup a mask: each new query and key
// stands for a group of the original ones, and a cell is masked when every original cell it
// covers is, so windows, causality, padding and picture neighbourhoods stay where they were.
#include "Mechanism.h"

#include <cstdint>
#include <vector>

namespace attn {

class MaskSpec {
public:
    MaskSpec() = default;
    MaskSpec(const Mechanism& mechanism, int queryCount, int keyCount, int gridRows = 0, int gridCols = 0);

    bool isMasked(int query, int key) const;
    // visible[j] = 1 when key j is visible to `query`, 0 when masked.
    void fillRow(int query, uint8_t* visible) const;
    // True when no cell is masked (global scope, not causal, no padding).
    bool isTrivial() const;
    // This mask over groups of its queries and keys (indices into this mask; a group per new
    // query or key, e.g. {{1}, {2}, {3}} after dropping token 0, {{0}, {1, 2}} after merging).
    MaskSpec regrouped(const std::vector<std::vector<int>>& queryGroups,
        const std::vector<std::vector<int>>& keyGroups) const;

    int queryCount() const { return m_queries; }
    int keyCount() const { return m_keys; }
    // The grid the windows are 2-D on (0 x 0: 1-D windows).
    int gridRows() const { return m_gridRows; }
    int gridCols() const { return m_gridCols; }
    bool isGrid() const { return m_gridCols > 0; }

private:
    ScopeKind m_scope = ScopeKind::Global;
    int m_window = 0;
    int m_global = 0;
    bool m_causal = false;
    std::vector<uint8_t> m_padded; // per key: 1 when padded
    int m_queries = 0;
    int m_keys = 0;
    int m_gridRows = 0;
    int m_gridCols = 0;

    // Regrouped masks: the original queries/keys behind each one (empty: the identity).
    std::vector<std::vector<int>> m_queryGroups;
    std::vector<std::vector<int>> m_keyGroups;

    int windowDistance(int query, int key) const;
    bool isMaskedOriginal(int query, int key) const;
};

} // namespace attn
