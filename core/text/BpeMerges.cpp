#include "BpeMerges.h"

#include <functional>
#include <queue>

namespace attn {

void BpeMerges::add(int left, int right, int merged)
{
    m_merges[key(left, right)] = Merge { m_nextRank++, merged };
}

std::optional<BpeMerges::Merge> BpeMerges::find(int a, int b) const
{
    const auto it = m_merges.find(key(a, b));
    if (it == m_merges.end())
        return std::nullopt;
    return it->second;
}

void BpeMerges::apply(std::vector<int>& word, Mode mode) const
{
    const size_t n = word.size();
    if (n < 2 || m_merges.empty())
        return;
    std::vector<int> ids = word;
    std::vector<long> prev(n), next(n);
    std::vector<bool> alive(n, true);
    for (size_t i = 0; i < n; ++i) {
        prev[i] = static_cast<long>(i) - 1;
        next[i] = i + 1 < n ? static_cast<long>(i + 1) : -1;
    }
    // (rank, position of the left symbol); smallest first. Positions never change (a merged
    // symbol keeps its left part's slot), so position order is text order.
    using Candidate = std::pair<int, long>;
    std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> heap;
    auto push = [&](long left) {
        if (left < 0 || next[static_cast<size_t>(left)] < 0)
            return;
        if (const auto m
            = find(ids[static_cast<size_t>(left)], ids[static_cast<size_t>(next[static_cast<size_t>(left)])]))
            heap.emplace(m->rank, left);
    };
    // Whether the candidate still names the pair it was pushed for.
    auto current = [&](const Candidate& c) -> std::optional<Merge> {
        const auto left = static_cast<size_t>(c.second);
        if (!alive[left] || next[left] < 0)
            return std::nullopt;
        const auto m = find(ids[left], ids[static_cast<size_t>(next[left])]);
        if (!m || m->rank != c.first)
            return std::nullopt;
        return m;
    };
    auto merge = [&](long left, int merged) {
        const auto l = static_cast<size_t>(left);
        const auto r = static_cast<size_t>(next[l]);
        ids[l] = merged;
        alive[r] = false;
        next[l] = next[r];
        if (next[r] >= 0)
            prev[static_cast<size_t>(next[r])] = left;
    };
    for (long i = 0; i + 1 < static_cast<long>(n); ++i)
        push(i);

    std::vector<long> mergedAt;
    while (!heap.empty()) {
        const Candidate top = heap.top();
        heap.pop();
        const auto m = current(top);
        if (!m)
            continue;
        merge(top.second, m->merged);
        if (mode == Mode::Leftmost) {
            push(prev[static_cast<size_t>(top.second)]);
            push(top.second);
            continue;
        }
        // AllOccurrences: every other occurrence of this pair (same rank) before any new pair.
        mergedAt.assign(1, top.second);
        while (!heap.empty() && heap.top().first == top.first) {
            const Candidate c = heap.top();
            heap.pop();
            if (const auto again = current(c)) {
                merge(c.second, again->merged);
                mergedAt.push_back(c.second);
            }
        }
        for (const long at : mergedAt) {
            if (!alive[static_cast<size_t>(at)])
                continue;
            push(prev[static_cast<size_t>(at)]);
            push(at);
        }
    }
    word.clear();
    for (long i = 0; i >= 0; i = next[static_cast<size_t>(i)])
        word.push_back(ids[static_cast<size_t>(i)]);
}

} // namespace attn
