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
    if (m_queryGroups.empty() && m_keyGroups.empty())
        return isMaskedOriginal(i, j);
    // No allocation here: views ask this for every visible cell.
    const int* qs = m_queryGroups.empty() ? &i : m_queryGroups[static_cast<size_t>(i)].data();
    const size_t nq = m_queryGroups.empty() ? 1 : m_queryGroups[static_cast<size_t>(i)].size();
    const int* ks = m_keyGroups.empty() ? &j : m_keyGroups[static_cast<size_t>(j)].data();
    const size_t nk = m_keyGroups.empty() ? 1 : m_keyGroups[static_cast<size_t>(j)].size();
    for (size_t a = 0; a < nq; ++a)
        for (size_t b = 0; b < nk; ++b)
            if (!isMaskedOriginal(qs[a], ks[b]))
                return false;
    return true;
}

MaskSpec MaskSpec::regrouped(
    const std::vector<std::vector<int>>& queryGroups, const std::vector<std::vector<int>>& keyGroups) const
{
    // Groups of this mask's indices become groups of the original ones.
    auto compose = [](const std::vector<std::vector<int>>& mine, const std::vector<std::vector<int>>& groups) {
        std::vector<std::vector<int>> out;
        out.reserve(groups.size());
        for (const auto& g : groups) {
            std::vector<int> original;
            for (int i : g) {
                if (mine.empty())
                    original.push_back(i);
                else
                    original.insert(original.end(), mine[static_cast<size_t>(i)].begin(), mine[static_cast<size_t>(i)].end());
            }
            out.push_back(std::move(original));
        }
        return out;
    };
    MaskSpec out = *this;
    out.m_queryGroups = compose(m_queryGroups, queryGroups);
    out.m_keyGroups = compose(m_keyGroups, keyGroups);
    out.m_queries = static_cast<int>(queryGroups.size());
    out.m_keys = static_cast<int>(keyGroups.size());
    return out;
}

bool MaskSpec::isMaskedOriginal(int i, int j) const
{
    if (static_cast<size_t>(j) < m_padded.size() && m_padded[static_cast<size_t>(j)])
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
