#include "ResultExport.h"

#include "MechanismJson.h"
#include "NpyFile.h"

#include <nlohmann/json.hpp>

#include <charconv>

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

std::string ResultExport::weightsNpy(const AttentionResult& r)
{
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
            for (int i = 0; i < r.queryCount; ++i) {
                nlohmann::json row = nlohmann::json::array();
                const float* w = r.weightRow(l, h, i);
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
    for (int i = 0; i < r.queryCount; ++i) {
        out += csvField(r.queryLabels[static_cast<size_t>(i)]);
        const float* w = r.weightRow(layer, head, i);
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
