#include "Mechanism.h"

#include <sstream>

namespace attn {

namespace {
template <class E, size_t N>
std::optional<E> lookup(const std::string& text, const std::pair<const char*, E> (&table)[N])
{
    for (const auto& [name, value] : table)
        if (text == name)
            return value;
    return std::nullopt;
}

constexpr std::pair<const char*, ScoreKind> kScores[] = {{"dot", ScoreKind::Dot},
    {"scaled-dot", ScoreKind::ScaledDot}, {"additive", ScoreKind::Additive},
    {"bilinear", ScoreKind::Bilinear}, {"cosine", ScoreKind::Cosine}};
constexpr std::pair<const char*, NormKind> kNorms[] = {
    {"softmax", NormKind::Softmax}, {"sigmoid", NormKind::Sigmoid}, {"ratio", NormKind::Ratio}};
constexpr std::pair<const char*, ScopeKind> kScopes[] = {
    {"global", ScopeKind::Global}, {"local", ScopeKind::Local}, {"hybrid", ScopeKind::Hybrid}};
constexpr std::pair<const char*, ProjectionKind> kProjections[] = {{"identity", ProjectionKind::Identity},
    {"random", ProjectionKind::Random}, {"file", ProjectionKind::File}};
constexpr std::pair<const char*, DynamicKind> kDynamics[] = {
    {"none", DynamicKind::None}, {"gate", DynamicKind::Gate}, {"temperature", DynamicKind::Temperature}};
constexpr std::pair<const char*, CombineKind> kCombines[] = {{"weighted-sum", CombineKind::WeightedSum},
    {"element-wise", CombineKind::ElementWise}, {"soft-selection", CombineKind::SoftSelection}};

template <class E, size_t N>
const char* nameOf(E value, const std::pair<const char*, E> (&table)[N])
{
    for (const auto& [name, v] : table)
        if (v == value)
            return name;
    return "?";
}
} // namespace

const char* toString(ScoreKind v) { return nameOf(v, kScores); }
const char* toString(NormKind v) { return nameOf(v, kNorms); }
const char* toString(ScopeKind v) { return nameOf(v, kScopes); }
const char* toString(ProjectionKind v) { return nameOf(v, kProjections); }
const char* toString(DynamicKind v) { return nameOf(v, kDynamics); }
const char* toString(CombineKind v) { return nameOf(v, kCombines); }
std::optional<ScoreKind> parseScoreKind(const std::string& s) { return lookup(s, kScores); }
std::optional<NormKind> parseNormKind(const std::string& s) { return lookup(s, kNorms); }
std::optional<ScopeKind> parseScopeKind(const std::string& s) { return lookup(s, kScopes); }
std::optional<DynamicKind> parseDynamicKind(const std::string& s) { return lookup(s, kDynamics); }
std::optional<CombineKind> parseCombineKind(const std::string& s) { return lookup(s, kCombines); }

std::string describe(const Mechanism& m)
{
    std::ostringstream out;
    out << toString(m.score) << " · " << toString(m.norm);
    if (m.norm != NormKind::Ratio)
        out << "(T=" << m.temperature << ")";
    if (m.scope == ScopeKind::Local)
        out << " · local W=" << m.window;
    else if (m.scope == ScopeKind::Hybrid)
        out << " · hybrid W=" << m.window << " G=" << m.globalTokens;
    if (m.causal)
        out << " · causal";
    if (!m.paddedKeys.empty())
        out << " · " << m.paddedKeys.size() << " padded";
    out << " · " << m.heads << (m.heads == 1 ? " head" : " heads");
    out << " · " << toString(m.projection) << " projection";
    if (m.dynamic != DynamicKind::None)
        out << " · dynamic " << toString(m.dynamic);
    if (m.combine != CombineKind::WeightedSum)
        out << " · " << toString(m.combine);
    return out.str();
}

} // namespace attn
