#include "ResultExport.h"

#include "MechanismJson.h"
#include "NpyFile.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <charconv>
#include <numeric>

namespace attn {

namespace {
// The shortest decimal that reads back as the same float: 0.1f is written "0.1", not
// 0.10000000149011612.
double shortest(float f)
{
    char buf[32];
    const auto res = std::to_chars(buf, buf + sizeof buf, f);
    double d = 0.0;
    std::from_chars(buf, res.ptr, d);
    return d;
}

std::string csvField(const std::string& s)
{
    if (s.find_first_of(",\"\n\r") == std::string::npos)
        return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"')
            out += '"';
        out += c;
    }
    return out + "\"";
}
} // namespace

bool ResultExport::streamWeightsNpy(
    const AttentionResult& r, const std::vector<int>& layerList, const std::vector<int>& headList, const ByteSink& sink)
{
    static_assert(std::endian::native == std::endian::little); // .npy '<f4' is the bytes in memory
    auto all = [](const std::vector<int>& chosen, int count) {
        if (!chosen.empty())
            return chosen;
        std::vector<int> every(static_cast<size_t>(count));
        std::iota(every.begin(), every.end(), 0);
        return every;
    };
    const std::vector<int> layers = all(layerList, r.layers), heads = all(headList, r.heads);
    const std::string header = NpyFile::header(
        {static_cast<int64_t>(layers.size()), static_cast<int64_t>(heads.size()), r.queryCount, r.keyCount});
    if (!sink(header.data(), header.size()))
        return false;
    constexpr int kTileRows = 64;
    std::vector<float> tile(static_cast<size_t>(kTileRows) * static_cast<size_t>(r.keyCount));
    for (int l : layers)
        for (int h : heads)
            for (int r0 = 0; r0 < r.queryCount; r0 += kTileRows) {
                const int r1 = std::min(r.queryCount, r0 + kTileRows);
                r.copyRows(l, h, r0, r1, tile.data());
                if (!sink(reinterpret_cast<const char*>(tile.data()),
                        sizeof(float) * static_cast<size_t>(r1 - r0) * static_cast<size_t>(r.keyCount)))
                    return false;
            }
    return true;
}

uint64_t ResultExport::jsonBytes(const AttentionResult& r) { return r.allMapsBytes() / sizeof(float) * 48; }

std::string ResultExport::weightsNpy(const AttentionResult& r)
{
    if (r.mapsOnDemand()) { // made head by head (the caller checked the memory)
        std::string out;
        out.reserve(static_cast<size_t>(r.allMapsBytes()) + 256);
        streamWeightsNpy(r, {}, {}, [&out](const char* data, size_t size) {
            out.append(data, size);
            return true;
        });
        return out;
    }
    return NpyFile::serialize({r.layers, r.heads, r.queryCount, r.keyCount}, r.weights.data());
}

std::string ResultExport::outputNpy(const AttentionResult& r)
{
    return NpyFile::serialize({r.output.rows(), r.output.cols()}, r.output.data());
}

std::string ResultExport::json(const AttentionResult& r)
{
    nlohmann::json j;
    j["tokens"] = r.keyLabels;
    j["query_tokens"] = r.queryLabels;
    j["shape"] = {r.layers, r.heads, r.queryCount, r.keyCount};
    nlohmann::json layers = nlohmann::json::array();
    for (int l = 0; l < r.layers; ++l) {
        nlohmann::json heads = nlohmann::json::array();
        for (int h = 0; h < r.heads; ++h) {
            nlohmann::json rows = nlohmann::json::array();
            std::vector<float> map(static_cast<size_t>(r.queryCount) * static_cast<size_t>(r.keyCount));
            r.copyMap(l, h, map.data());
            for (int i = 0; i < r.queryCount; ++i) {
                nlohmann::json row = nlohmann::json::array();
                const float* w = map.data() + static_cast<size_t>(i) * static_cast<size_t>(r.keyCount);
                for (int k = 0; k < r.keyCount; ++k)
                    row.push_back(shortest(w[k]));
                rows.push_back(std::move(row));
            }
            heads.push_back(std::move(rows));
        }
        layers.push_back(std::move(heads));
    }
    j["attention"] = std::move(layers);
    nlohmann::json out = nlohmann::json::array();
    for (Eigen::Index i = 0; i < r.output.rows(); ++i) {
        nlohmann::json row = nlohmann::json::array();
        for (Eigen::Index c = 0; c < r.output.cols(); ++c)
            row.push_back(shortest(r.output(i, c)));
        out.push_back(std::move(row));
    }
    j["output"] = std::move(out);
    j["output_tokens"] = r.outputLabels;
    j["mechanism"] = MechanismJson::toJson(r.mechanism);
    if (!r.source.empty())
        j["source"] = r.source;
    if (!r.nextToken.empty())
        j["next_token"] = r.nextToken;
    if (!r.warnings.empty())
        j["warnings"] = r.warnings;
    return j.dump(1) + "\n";
}

std::string ResultExport::tokensJson(const AttentionResult& r)
{
    nlohmann::json j;
    j["tokens"] = r.keyLabels;
    j["query_tokens"] = r.queryLabels;
    if (!r.tokenIds.empty())
        j["ids"] = r.tokenIds;
    if (!r.specialTokens.empty())
        j["special"] = r.specialTokens;
    if (!r.nextToken.empty()) {
        j["next_token"] = r.nextToken;
        j["next_token_probability"] = shortest(r.nextTokenProbability);
    }
    return j.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string ResultExport::weightsCsv(const AttentionResult& r, int layer, int head)
{
    std::string out = "query\\key";
    for (const auto& k : r.keyLabels)
        out += "," + csvField(k);
    out += "\n";
    char buf[32];
    std::vector<float> w(static_cast<size_t>(r.keyCount)); // a row at a time: held or made on demand
    for (int i = 0; i < r.queryCount; ++i) {
        out += csvField(r.queryLabels[static_cast<size_t>(i)]);
        r.copyRows(layer, head, i, i + 1, w.data());
        for (int k = 0; k < r.keyCount; ++k) {
            const auto res = std::to_chars(buf, buf + sizeof buf, w[k]);
            out += ',';
            out.append(buf, res.ptr);
        }
        out += "\n";
    }
    return out;
}

} // namespace attn
