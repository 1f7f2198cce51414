#include "AddedTokenSplitter.h"

#include <algorithm>

namespace attn {

void AddedTokenSplitter::add(const std::string& token, int id)
{
    if (token.empty())
        return;
    auto& list = m_byFirstByte[static_cast<unsigned char>(token[0])];
    for (auto& entry : list) {
        if (entry.first == token) {
            entry.second = id;
            return;
        }
    }
    list.emplace_back(token, id);
    std::stable_sort(list.begin(), list.end(),
        [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
}

std::vector<AddedTokenSplitter::Piece> AddedTokenSplitter::split(const std::string& text) const
{
    std::vector<Piece> out;
    size_t plainStart = 0;
    size_t i = 0;
    while (i < text.size()) {
        const auto it = m_byFirstByte.find(static_cast<unsigned char>(text[i]));
        const std::pair<std::string, int>* match = nullptr;
        if (it != m_byFirstByte.end()) {
            for (const auto& entry : it->second) {
                if (text.compare(i, entry.first.size(), entry.first) == 0) {
                    match = &entry;
                    break;
                }
            }
        }
        if (!match) {
            ++i;
            continue;
        }
        if (i > plainStart)
            out.push_back({text.substr(plainStart, i - plainStart), -1});
        out.push_back({match->first, match->second});
        i += match->first.size();
        plainStart = i;
    }
    if (plainStart < text.size())
        out.push_back({text.substr(plainStart), -1});
    return out;
}

} // namespace attn
