#include "WordAggregation.h"

#include "TokenFilter.h"

#include <algorithm>
#include <cctype>

namespace attn {

namespace {

const std::string kGpt2Space = "\xC4\xA0"; // Ġ U+0120
const std::string kSentencePiece = "\xE2\x96\x81"; // ▁ U+2581

bool startsWith(const std::string& s, const std::string& prefix)
{
    return s.compare(0, prefix.size(), prefix) == 0;
}

enum class Scheme { WordPiece, Marker, Whole };

// The label without its word-start marker; `marked` tells whether it had one.
std::string stripMarker(const std::string& label, Scheme scheme, bool& marked, bool& continuation)
{
    marked = continuation = false;
    if (scheme == Scheme::WordPiece) {
        if (startsWith(label, "##") && label.size() > 2) {
            continuation = true;
            return label.substr(2);
        }
        return label;
    }
    if (scheme == Scheme::Marker) {
        for (const std::string& m : { kGpt2Space, kSentencePiece, std::string(" ") })
            if (startsWith(label, m)) {
                marked = true;
                return label.substr(m.size());
            }
        continuation = true;
    }
    return label;
}

Matrix meanRows(const Matrix& m, const std::vector<std::vector<int>>& groups)
{
    if (m.rows() == 0)
        return m;
    Matrix out = Matrix::Zero(static_cast<Eigen::Index>(groups.size()), m.cols());
    for (size_t g = 0; g < groups.size(); ++g) {
        for (int i : groups[g])
            out.row(static_cast<Eigen::Index>(g)) += m.row(i);
        out.row(static_cast<Eigen::Index>(g)) /= static_cast<float>(groups[g].size());
    }
    return out;
}

std::vector<float> meanHeadVectors(
    const std::vector<float>& v, int groupsCount, int n, const std::vector<std::vector<int>>& words)
{
    if (v.empty() || groupsCount <= 0 || n <= 0 || v.size() % (static_cast<size_t>(groupsCount) * n) != 0)
        return {};
    const size_t d = v.size() / (static_cast<size_t>(groupsCount) * n);
    std::vector<float> out(static_cast<size_t>(groupsCount) * words.size() * d, 0.0f);
    for (int g = 0; g < groupsCount; ++g)
        for (size_t w = 0; w < words.size(); ++w) {
            float* dst = &out[(static_cast<size_t>(g) * words.size() + w) * d];
            for (int i : words[w]) {
                const float* src = &v[(static_cast<size_t>(g) * n + i) * d];
                for (size_t c = 0; c < d; ++c)
                    dst[c] += src[c] / static_cast<float>(words[w].size());
            }
        }
    return out;
}

} // namespace

bool WordAggregation::isPunctuation(const std::string& text)
{
    if (text.empty())
        return false;
    for (unsigned char c : text)
        if (c >= 0x80 || !std::ispunct(c))
            return false;
    return true;
}

WordGroups WordAggregation::group(const std::vector<std::string>& labels, const std::vector<uint8_t>& special)
{
    Scheme scheme = Scheme::Whole;
    for (const auto& l : labels)
        if (startsWith(l, "##") && l.size() > 2)
            scheme = Scheme::WordPiece;
    if (scheme == Scheme::Whole)
        for (const auto& l : labels)
            if (startsWith(l, kGpt2Space) || startsWith(l, kSentencePiece) || startsWith(l, " "))
                scheme = Scheme::Marker;

    WordGroups g;
    bool previousClosed = true; // the previous word cannot be continued (none, special, punctuation)
    for (size_t i = 0; i < labels.size(); ++i) {
        const bool isSpecial = i < special.size() ? special[i] != 0 : TokenFilter::looksSpecial(labels[i]);
        bool marked = false, continuation = false;
        const std::string text = isSpecial ? labels[i] : stripMarker(labels[i], scheme, marked, continuation);
        const bool punct = !isSpecial && isPunctuation(text);
        if (continuation && !punct && !isSpecial && !previousClosed) {
            g.words.back().push_back(static_cast<int>(i));
            g.labels.back() += text;
        } else {
            g.words.push_back({ static_cast<int>(i) });
            g.labels.push_back(text);
        }
        g.wordOfToken.push_back(static_cast<int>(g.words.size()) - 1);
        previousClosed = isSpecial || punct || scheme == Scheme::Whole;
    }
    for (size_t w = 0; w < g.words.size(); ++w)
        if (g.labels[w].empty()) // a lone marker (llama2.c's " " before "out"): show it as it is
            g.labels[w] = labels[static_cast<size_t>(g.words[w].front())];
    return g;
}

std::vector<float> WordAggregation::aggregate(
    const float* map, const WordGroups& q, const WordGroups& k, int keyCount)
{
    const size_t wk = k.words.size();
    std::vector<float> out(q.words.size() * wk, 0.0f);
    std::vector<double> row(wk);
    for (size_t a = 0; a < q.words.size(); ++a) {
        std::fill(row.begin(), row.end(), 0.0);
        for (int i : q.words[a]) {
            const float* src = map + static_cast<size_t>(i) * keyCount;
            for (int j = 0; j < keyCount; ++j)
                row[static_cast<size_t>(k.wordOfToken[static_cast<size_t>(j)])] += src[j];
        }
        for (size_t b = 0; b < wk; ++b)
            out[a * wk + b] = static_cast<float>(row[b] / static_cast<double>(q.words[a].size()));
    }
    return out;
}

Expected<AttentionResult> WordAggregation::apply(const AttentionResult& r)
{
    if (r.keyLabels.size() != static_cast<size_t>(r.keyCount)
        || r.queryLabels.size() != static_cast<size_t>(r.queryCount))
        return makeError("merging subwords needs a label for every token");
    if (!r.mapsOnDemand() && r.weights.size()
        != static_cast<size_t>(r.layers) * r.heads * r.queryCount * static_cast<size_t>(r.keyCount))
        return makeError("the attention weights do not match the result's shape");
    const WordGroups keys = group(r.keyLabels, r.specialTokens);
    const WordGroups queries = r.cross ? group(r.queryLabels) : keys;
    if (auto st = r.checkDerivedMaps("merging subwords into words", static_cast<int>(queries.words.size()),
            static_cast<int>(keys.words.size()));
        !st)
        return st.takeError();

    AttentionResult out = r;
    out.maps = nullptr; // the words' maps are held (within the budget, checked above)
    out.queryCount = static_cast<int>(queries.words.size());
    out.keyCount = static_cast<int>(keys.words.size());
    out.keyLabels = keys.labels;
    out.queryLabels = queries.labels;
    out.outputLabels = queries.labels;
    out.weights.clear();
    out.weights.reserve(static_cast<size_t>(r.layers) * r.heads * out.queryCount * out.keyCount);
    std::vector<float> made; // maps on demand: the head's whole map, made once per head
    if (r.mapsOnDemand())
        made.resize(static_cast<size_t>(r.queryCount) * static_cast<size_t>(r.keyCount));
    for (int l = 0; l < r.layers; ++l)
        for (int h = 0; h < r.heads; ++h) {
            if (r.mapsOnDemand())
                r.copyMap(l, h, made.data());
            const auto m = aggregate(r.mapsOnDemand() ? made.data() : r.weightRow(l, h, 0), queries, keys, r.keyCount);
            out.weights.insert(out.weights.end(), m.begin(), m.end());
        }
    out.scores.clear(); // a sum of raw scores means nothing
    out.tokenIds.clear();
    out.specialTokens.clear();
    for (const auto& w : keys.words)
        out.specialTokens.push_back(w.size() == 1
            && (static_cast<size_t>(w[0]) < r.specialTokens.size()
                    ? r.specialTokens[static_cast<size_t>(w[0])] != 0
                    : TokenFilter::looksSpecial(r.keyLabels[static_cast<size_t>(w[0])])));
    out.input = meanRows(r.input, keys.words);
    out.queryInput = meanRows(r.queryInput, queries.words);
    out.q = meanRows(r.q, queries.words);
    out.k = meanRows(r.k, keys.words);
    out.v = meanRows(r.v, keys.words);
    out.dynamic = Vector();
    out.headOutputs.clear();
    out.concat = Matrix();
    out.output = Matrix();
    out.layerQueries = meanHeadVectors(r.layerQueries, r.layers * r.heads, r.queryCount, queries.words);
    out.layerKeys = meanHeadVectors(r.layerKeys, r.layers * r.heads, r.keyCount, keys.words);
    out.layerValues = meanHeadVectors(r.layerValues, r.layers * r.heads, r.keyCount, keys.words);
    out.gridRows = out.gridCols = 0;
    out.spatialMap.clear();
    TokenFilter::regroupMask(out, r, queries.words, keys.words);
    return out;
}

} // namespace attn
