#include "AddedTokenSplitter.h"

namespace attn {

void AddedTokenSplitter::add(const std::string& token, int id)
{
    if (token.empty())
        return;
    size_t node = 0;
    for (const char c : token) {
        const auto [it, inserted] = m_children.try_emplace(
            edge(node, static_cast<unsigned char>(c)), static_cast<uint32_t>(m_ids.size()));
        if (inserted)
            m_ids.push_back(-1);
        node = it->second;
    }
    m_ids[node] = id;
}

std::vector<AddedTokenSplitter::Piece> AddedTokenSplitter::split(const std::string& text) const
{
    std::vector<Piece> out;
    if (empty()) {
        if (!text.empty())
            out.push_back({ text, -1 });
        return out;
    }
    size_t plainStart = 0;
    size_t i = 0;
    while (i < text.size()) {
        // The longest token starting at i.
        size_t node = 0;
        size_t matchLength = 0;
        int matchId = -1;
        for (size_t j = i; j < text.size(); ++j) {
            const auto it = m_children.find(edge(node, static_cast<unsigned char>(text[j])));
            if (it == m_children.end())
                break;
            node = it->second;
            if (m_ids[node] >= 0) {
                matchLength = j + 1 - i;
                matchId = m_ids[node];
            }
        }
        if (matchLength == 0) {
            ++i;
            continue;
        }
        if (i > plainStart)
            out.push_back({ text.substr(plainStart, i - plainStart), -1 });
        out.push_back({ text.substr(i, matchLength), matchId });
        i += matchLength;
        plainStart = i;
    }
    if (plainStart < text.size())
        out.push_back({ text.substr(plainStart), -1 });
    return out;
}

} // namespace attn
