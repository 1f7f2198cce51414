#pragma once
// Which (query, key) cells the scope and masks hide. Computed from the mechanism, never stored as
// an N x N matrix: views ask isMasked(i, j) for any cell, the engine fills one row at a time.
#include "Mechanism.h"

#include <cstdint>
#include <vector>

namespace attn {

class MaskSpec {
public:
    MaskSpec() = default;
    MaskSpec(const Mechanism& mechanism, int queryCount, int keyCount);

    bool isMasked(int query, int key) const;
    // visible[j] = 1 when key j is visible to `query`, 0 when masked.
    void fillRow(int query, uint8_t* visible) const;
    // True when no cell is masked (global scope, not causal, no padding).
    bool isTrivial() const;

    int queryCount() const { return m_queries; }
    int keyCount() const { return m_keys; }

private:
    ScopeKind m_scope = ScopeKind::Global;
    int m_window = 0;
    int m_global = 0;
    bool m_causal = false;
    std::vector<uint8_t> m_padded; // per key: 1 when padded
    int m_queries = 0;
    int m_keys = 0;
};

} // namespace attn
