#include "MaskSpec.h"

#include <algorithm>
#include <cstdlib>

namespace attn {

MaskSpec::MaskSpec(const Mechanism& m, int queryCount, int keyCount, int gridRows, int gridCols)
    : m_scope(m.scope)
    , m_window(m.window)
    , m_global(m.globalTokens)
    , m_causal(m.causal)
    , m_padded(static_cast<size_t>(keyCount), 0)
    , m_queries(queryCount)
    , m_keys(keyCount)
{
    for (int j : m.paddedKeys)
        if (j >= 0 && j < keyCount)
            m_padded[static_cast<size_t>(j)] = 1;
    if (gridRows > 0 && gridCols > 0 && static_cast<int64_t>(gridRows) * gridCols == keyCount && queryCount == keyCount) {
        m_gridRows = gridRows;
        m_gridCols = gridCols;
    }
}

int MaskSpec::windowDistance(int i, int j) const
{
    if (m_gridCols == 0)
        return std::abs(i - j);
    return std::max(std::abs(i / m_gridCols - j / m_gridCols), std::abs(i % m_gridCols - j % m_gridCols));
}

bool MaskSpec::isMasked(int i, int j) const
{
    if (m_padded[static_cast<size_t>(j)])
        return true;
    if (m_causal && j > i)
        return true;
    switch (m_scope) {
    case ScopeKind::Global:
        return false;
    case ScopeKind::Local:
        return windowDistance(i, j) > m_window;
    case ScopeKind::Hybrid:
        if (i < m_global || j < m_global)
            return false;
        return windowDistance(i, j) > m_window;
    }
    return false;
}

void MaskSpec::fillRow(int i, uint8_t* visible) const
{
    for (int j = 0; j < m_keys; ++j)
        visible[j] = isMasked(i, j) ? 0 : 1;
}

bool MaskSpec::isTrivial() const
{
    if (m_causal || m_scope != ScopeKind::Global)
        return false;
    for (uint8_t p : m_padded)
        if (p)
            return false;
    return true;
}

} // namespace attn
