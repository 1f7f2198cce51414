#include "TokenFilter.h"

#include <algorithm>
#include <regex>

namespace attn {

namespace {

Matrix selectRows(const Matrix& m, const std::vector<int>& rows)
{
    if (m.rows() == 0)
        return m;
    Matrix out(static_cast<Eigen::Index>(rows.size()), m.cols());
    for (size_t i = 0; i < rows.size(); ++i)
        out.row(static_cast<Eigen::Index>(i)) = m.row(rows[i]);
    return out;
}

template <class T> std::vector<T> selectItems(const std::vector<T>& v, const std::vector<int>& keep)
{
    if (v.empty())
        return v;
    std::vector<T> out;
    out.reserve(keep.size());
    for (int i : keep)
        out.push_back(v[static_cast<size_t>(i)]);
    return out;
}

// [L][H][N][d] per-head vectors, N tokens subset.
std::vector<float> selectHeadVectors(
    const std::vector<float>& v, int groups, int n, const std::vector<int>& keep)
{
    if (v.empty() || groups <= 0 || n <= 0 || v.size() % (static_cast<size_t>(groups) * n) != 0)
        return {};
    const size_t d = v.size() / (static_cast<size_t>(groups) * n);
    std::vector<float> out;
    out.reserve(static_cast<size_t>(groups) * keep.size() * d);
    for (int g = 0; g < groups; ++g)
        for (int i : keep) {
            const float* src = &v[(static_cast<size_t>(g) * n + i) * d];
            out.insert(out.end(), src, src + d);
        }
    return out;
}

} // namespace

bool TokenFilter::looksSpecial(const std::string& label)
{
    static const std::regex bracket(R"(\[[A-Z]{2,6}\])");
    static const std::regex angle(R"(</?(s|pad|unk|mask|cls|sep|bos|eos)>|<\|[a-z_]+\|>)");
    return std::regex_match(label, bracket) || std::regex_match(label, angle);
}

std::vector<int> TokenFilter::keptTokens(
    const std::vector<std::string>& labels, const std::vector<uint8_t>& special, const TokenFilterOptions& o)
{
    std::vector<int> keep;
    for (size_t i = 0; i < labels.size(); ++i) {
        if (o.dropFirst && i == 0)
            continue;
        if (o.dropSpecial) {
            const bool flagged = i < special.size() ? special[i] != 0 : looksSpecial(labels[i]);
            if (flagged)
                continue;
        }
        keep.push_back(static_cast<int>(i));
    }
    return keep;
}

void TokenFilter::regroupMask(AttentionResult& r, const AttentionResult& from,
    const std::vector<std::vector<int>>& queryGroups, const std::vector<std::vector<int>>& keyGroups)
{
    r.mask = from.mask.regrouped(queryGroups, keyGroups);
    const std::vector<int>& padded = from.mechanism.paddedKeys;
    std::vector<int> now;
    for (size_t k = 0; k < keyGroups.size(); ++k) {
        bool all = !padded.empty() && !keyGroups[k].empty();
        for (int j : keyGroups[k])
            all = all && std::find(padded.begin(), padded.end(), j) != padded.end();
        if (all)
            now.push_back(static_cast<int>(k));
    }
    r.mechanism.paddedKeys = std::move(now);
}

Expected<AttentionResult> TokenFilter::apply(const AttentionResult& r, const TokenFilterOptions& o)
{
    const std::vector<uint8_t> noFlags;
    const std::vector<int> keys = keptTokens(r.keyLabels, r.specialTokens, o);
    const std::vector<int> queries = r.cross ? keptTokens(r.queryLabels, noFlags, o) : keys;
    if (keys.empty() || queries.empty())
        return makeError("dropping the special/first tokens would leave no token to show");
    if (!r.mapsOnDemand() && r.weights.size()
        != static_cast<size_t>(r.layers) * r.heads * r.queryCount * static_cast<size_t>(r.keyCount))
        return makeError("the attention weights do not match the result's shape");
    if (auto st = r.checkDerivedMaps("dropping tokens", static_cast<int>(queries.size()), static_cast<int>(keys.size())); !st)
        return st.takeError();

    AttentionResult out = r;
    out.maps = nullptr; // the kept tokens' maps are held (within the budget, checked above)
    out.queryCount = static_cast<int>(queries.size());
    out.keyCount = static_cast<int>(keys.size());
    out.keyLabels = selectItems(r.keyLabels, keys);
    out.queryLabels = r.cross ? selectItems(r.queryLabels, queries) : out.keyLabels;
    out.outputLabels = r.outputLabels.size() == static_cast<size_t>(r.queryCount)
        ? selectItems(r.outputLabels, queries)
        : std::vector<std::string>();
    out.tokenIds = r.tokenIds.size() == static_cast<size_t>(r.keyCount) ? selectItems(r.tokenIds, keys)
                                                                        : std::vector<int>();
    out.specialTokens = r.specialTokens.size() == static_cast<size_t>(r.keyCount)
        ? selectItems(r.specialTokens, keys)
        : std::vector<uint8_t>();
    out.weights.assign(static_cast<size_t>(r.layers) * r.heads * queries.size() * keys.size(), 0.0f);
    if (r.hasScores())
        out.scores.assign(out.weights.size(), 0.0f);
    else
        out.scores.clear();
    std::vector<float> made; // maps on demand: the head's whole map, made once per head
    if (r.mapsOnDemand())
        made.resize(static_cast<size_t>(r.queryCount) * static_cast<size_t>(r.keyCount));
    for (int l = 0; l < r.layers; ++l)
        for (int h = 0; h < r.heads; ++h) {
            if (r.mapsOnDemand())
                r.copyMap(l, h, made.data());
            for (int qi = 0; qi < out.queryCount; ++qi) {
                const int query = queries[static_cast<size_t>(qi)];
                const float* src = r.mapsOnDemand() ? made.data() + static_cast<size_t>(query) * r.keyCount
                                                    : r.weightRow(l, h, query);
                float* dst = &out.weights[out.index(l, h, qi, 0)];
                double sum = 0.0;
                for (int kj = 0; kj < out.keyCount; ++kj)
                    sum += src[keys[static_cast<size_t>(kj)]];
                for (int kj = 0; kj < out.keyCount; ++kj)
                    dst[kj] = sum > 0.0 ? static_cast<float>(src[keys[static_cast<size_t>(kj)]] / sum) : 0.0f;
                if (r.hasScores()) {
                    const size_t from = r.index(l, h, queries[static_cast<size_t>(qi)], 0);
                    for (int kj = 0; kj < out.keyCount; ++kj)
                        out.scores[out.index(l, h, qi, kj)]
                            = r.scores[from + static_cast<size_t>(keys[static_cast<size_t>(kj)])];
                }
            }
        }
    out.input = selectRows(r.input, keys);
    out.queryInput = selectRows(r.queryInput, queries);
    out.q = selectRows(r.q, queries);
    out.k = selectRows(r.k, keys);
    out.v = selectRows(r.v, keys);
    if (r.dynamic.size() == r.queryCount) {
        Vector d(out.queryCount);
        for (int i = 0; i < out.queryCount; ++i)
            d[i] = r.dynamic[queries[static_cast<size_t>(i)]];
        out.dynamic = d;
    }
    // Outputs are per query (or per key for element-wise): subset the rows that follow the queries.
    const std::vector<int>& outputRows
        = r.outputLabels.size() == static_cast<size_t>(r.keyCount) && r.cross ? keys : queries;
    for (Matrix& m : out.headOutputs)
        m = m.rows() == static_cast<Eigen::Index>(r.queryCount)
                || m.rows() == static_cast<Eigen::Index>(r.keyCount)
            ? selectRows(m, outputRows)
            : Matrix();
    out.concat = selectRows(r.concat, outputRows);
    out.output = selectRows(r.output, outputRows);
    out.layerQueries = selectHeadVectors(r.layerQueries, r.layers * r.heads, r.queryCount, queries);
    out.layerKeys = selectHeadVectors(r.layerKeys, r.layers * r.heads, r.keyCount, keys);
    out.layerValues = selectHeadVectors(r.layerValues, r.layers * r.heads, r.keyCount, keys);
    if (r.gridRows * r.gridCols != out.keyCount) {
        out.gridRows = out.gridCols = 0;
        out.spatialMap.clear();
    }
    auto singletons = [](const std::vector<int>& kept) {
        std::vector<std::vector<int>> groups;
        groups.reserve(kept.size());
        for (int i : kept)
            groups.push_back({i});
        return groups;
    };
    regroupMask(out, r, singletons(queries), singletons(keys));
    return out;
}

} // namespace attn
