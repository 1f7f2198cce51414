#include "TextEmbedder.h"

#include "SinusoidalPositions.h"

#include "Pcg32.h"
#include "Utf8.h"

#include <cmath>

namespace attn {

namespace {
uint64_t fnv1a(const std::string& s)
{
    uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h;
}

void addFeature(Vector& acc, const std::string& feature)
{
    Pcg32 rng(fnv1a(feature), 0x5851f42d4c957f2dULL);
    for (Eigen::Index c = 0; c < acc.size(); ++c)
        acc[c] += rng.uniform(-1.0f, 1.0f);
}
} // namespace

Vector TextEmbedder::embedToken(const std::string& token, int dim)
{
    std::string lower = token;
    for (char& c : lower)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    const std::string wrapped = "<" + lower + ">";
    const auto cps = Utf8::decode(wrapped);

    Vector acc = Vector::Zero(dim);
    addFeature(acc, wrapped);
    for (size_t n = 2; n <= 4; ++n)
        for (size_t i = 0; i + n <= cps.size(); ++i) {
            const size_t begin = cps[i].offset;
            const size_t end = cps[i + n - 1].offset + cps[i + n - 1].length;
            addFeature(acc, std::to_string(n) + ":" + wrapped.substr(begin, end - begin));
        }
    const float norm = acc.norm();
    if (norm > 0.0f)
        acc *= std::sqrt(4.0f * std::sqrt(static_cast<float>(dim))) / norm;
    return acc;
}

Matrix TextEmbedder::sinusoidalPositions(int count, int dim)
{
    return attn::sinusoidalPositions(count, dim);
}

Matrix TextEmbedder::embed(const std::vector<std::string>& tokens, int dim, bool positions)
{
    Matrix x(static_cast<Eigen::Index>(tokens.size()), dim);
    for (size_t i = 0; i < tokens.size(); ++i)
        x.row(static_cast<Eigen::Index>(i)) = embedToken(tokens[i], dim).transpose();
    if (positions)
        x += sinusoidalPositions(static_cast<int>(tokens.size()), dim);
    return x;
}

} // namespace attn
