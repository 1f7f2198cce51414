#include "PipelineDiagram.h"

#include <sstream>
#include <vector>

namespace attn {

namespace {

std::string number(double v)
{
    std::ostringstream out;
    out << v;
    return out.str();
}

std::string scoreFormula(const Mechanism& m)
{
    switch (m.score) {
    case ScoreKind::Dot: return "s_ij = q_i · k_j";
    case ScoreKind::ScaledDot: return "s_ij = q_i · k_j / √d_k";
    case ScoreKind::Additive:
        return m.projection == ProjectionKind::Identity ? "s_ij = Σ_c tanh(q_ic + k_jc)" : "s_ij = vᵀ tanh(W_q q_i + W_k k_j)";
    case ScoreKind::Bilinear: return "s_ij = q_iᵀ W_a k_j (W_a = I)";
    case ScoreKind::Cosine: return "s_ij = cos(q_i, k_j)";
    }
    return "s_ij";
}

std::string maskDescription(const Mechanism& m)
{
    std::vector<std::string> parts;
    if (m.scope == ScopeKind::Local)
        parts.push_back("local W=" + std::to_string(m.window));
    else if (m.scope == ScopeKind::Hybrid)
        parts.push_back("hybrid W=" + std::to_string(m.window) + " + G=" + std::to_string(m.globalTokens));
    if (m.causal)
        parts.push_back("causal");
    if (!m.paddedKeys.empty())
        parts.push_back("padding (" + std::to_string(m.paddedKeys.size()) + (m.paddedKeys.size() == 1 ? " key)" : " keys)"));
    std::string out;
    for (const std::string& p : parts)
        out += (out.empty() ? "" : " + ") + p;
    return out;
}

std::string normaliserLabel(const Mechanism& m)
{
    const bool dynamicT = m.dynamic == DynamicKind::Temperature;
    const std::string t = dynamicT ? "T_i" : "T";
    const std::string tValue = dynamicT ? "" : ", T = " + number(m.temperature);
    switch (m.norm) {
    case NormKind::Softmax: return "weights a_ij = softmax_j(s_ij / " + t + ")" + tValue;
    case NormKind::Sigmoid: return "weights: σ gate a_ij = σ(s_ij / " + t + ")" + tValue;
    case NormKind::Ratio: return "weights a_ij = s_ij / Σ_j s_ij (ratio)";
    }
    return "weights";
}

std::string combineLabel(const Mechanism& m)
{
    switch (m.combine) {
    case CombineKind::WeightedSum: return "weighted sum Σ_j a_ij v_j";
    case CombineKind::ElementWise: return "element-wise ā_j ⊙ v_j (ā_j = mean_i a_ij)";
    case CombineKind::SoftSelection:
        return "soft selection: top-" + std::to_string(m.topK) + " a_ij, renormalised, Σ a_ij v_j";
    }
    return "combination";
}

class Writer {
public:
    void node(const std::string& id, const std::string& label, const char* open = "[", const char* close = "]",
        int indent = 4)
    {
        m_out << std::string(static_cast<size_t>(indent), ' ') << id << open << '"' << escape(label) << '"' << close
              << '\n';
    }
    void edges(const std::vector<std::string>& from, const std::vector<std::string>& to, const std::string& label = "")
    {
        m_out << "    " << join(from) << " -->";
        if (!label.empty())
            m_out << "|\"" << escape(label) << "\"|";
        m_out << ' ' << join(to) << '\n';
    }
    void line(const std::string& text) { m_out << text << '\n'; }
    std::string str() const { return m_out.str(); }

private:
    static std::string join(const std::vector<std::string>& ids)
    {
        std::string s;
        for (const std::string& id : ids)
            s += (s.empty() ? "" : " & ") + id;
        return s;
    }
    static std::string escape(const std::string& text)
    {
        std::string out;
        for (char c : text)
            out += c == '"' ? std::string("#quot;") : std::string(1, c);
        return out;
    }
    std::ostringstream m_out;
};

} // namespace

std::string PipelineDiagram::fromMechanism(const Mechanism& m, bool cross)
{
    const bool identity = m.projection == ProjectionKind::Identity;
    const bool keep = m.keepScores;
    const std::string mask = maskDescription(m);
    const int heads = m.heads < 1 ? 1 : m.heads;

    Writer w;
    w.line("%% AttnScope pipeline: " + describe(m) + (cross ? " · cross-attention" : " · self-attention"));
    w.line("graph TD");

    // Inputs.
    if (cross) {
        w.node("input", "inputs X (keys, values)", "[/", "/]");
        w.node("query_input", "queries Y", "[/", "/]");
    } else {
        w.node("input", "input X", "[/", "/]");
    }
    const std::string querySource = cross ? "query_input" : "input";

    // Projections.
    std::string qNode = "q", kNode = "k", vNode = "v";
    if (identity) {
        if (cross) {
            w.node("q", "Q = Y");
            w.node("k", "K = V = X");
            vNode = "k";
            w.edges({"query_input"}, {"q"});
            w.edges({"input"}, {"k"});
        } else {
            w.node("q", "Q = K = V = X");
            kNode = vNode = "q";
            w.edges({"input"}, {"q"});
        }
    } else {
        const std::string src = cross ? "Y" : "X";
        const std::string file = m.projection == ProjectionKind::File ? " (from file)" : "";
        w.node("q", "Q = " + src + " W_Q" + file);
        w.node("k", "K = X W_K" + file);
        w.node("v", "V = X W_V" + file);
        w.edges({querySource}, {"q"});
        w.edges({"input"}, {"k", "v"});
    }
    const std::vector<std::string> qk = qNode == kNode ? std::vector<std::string>{qNode}
                                                       : std::vector<std::string>{qNode, kNode};

    // Scores and mask.
    std::string last;
    if (keep) {
        if (m.score == ScoreKind::Additive) {
            w.node("additive_tanh", identity ? "tanh(q_i + k_j)" : "tanh(W_q q_i + W_k k_j)", "{{", "}}");
            w.edges(qk, {"additive_tanh"});
            w.node("scores", "scores " + scoreFormula(m));
            w.edges({"additive_tanh"}, {"scores"});
        } else {
            w.node("scores", "scores " + scoreFormula(m));
            w.edges(qk, {"scores"});
        }
        last = "scores";
        if (!mask.empty()) {
            w.node("masked_scores", "mask: " + mask + " (hidden keys get -∞)");
            w.edges({"scores"}, {"masked_scores"});
            last = "masked_scores";
        }
    }

    // Normaliser (and the dynamic gate or temperature).
    std::string weightsLabel = normaliserLabel(m);
    if (!keep)
        weightsLabel = "scores " + scoreFormula(m) + " (not kept)<br/>" + (mask.empty() ? "" : "mask: " + mask + "<br/>") +
                       weightsLabel;
    w.node("weights", weightsLabel, "(", ")");
    if (keep)
        w.edges({last}, {"weights"});
    else
        w.edges(qk, {"weights"});
    if (m.dynamic == DynamicKind::Gate) {
        w.node("dynamic", "dynamic gate g_i = σ(w_g · x_i + b_g)", "{", "}");
        w.edges({querySource}, {"dynamic"});
        w.edges({"dynamic"}, {"weights"}, "a_ij × g_i");
    } else if (m.dynamic == DynamicKind::Temperature) {
        w.node("dynamic", "dynamic temperature T_i = T·(0.5 + σ(w_t · x_i + b_t)), T = " + number(m.temperature), "{",
            "}");
        w.edges({querySource}, {"dynamic"});
        w.edges({"dynamic"}, {"weights"}, "T_i");
    }

    // Combination, per head.
    if (heads == 1) {
        w.node("head_output", combineLabel(m));
        w.edges({"weights"}, {"head_output"});
        w.edges({vNode}, {"head_output"});
        last = "head_output";
    } else {
        std::vector<std::string> shown;
        if (heads > 8) {
            shown = {"head_0", "head_1", "head_more", "head_" + std::to_string(heads - 1)};
        } else {
            for (int h = 0; h < heads; ++h)
                shown.push_back("head_" + std::to_string(h));
        }
        w.line("    subgraph heads[\"" + std::to_string(heads) + " heads · " + combineLabel(m) + "\"]");
        for (const std::string& id : shown)
            w.node(id, id == "head_more" ? "…" : "head " + id.substr(5), "[", "]", 8);
        w.line("    end");
        w.edges({"weights"}, shown);
        w.edges({vNode}, shown);
        w.node("concat", "concat heads");
        w.edges(shown, {"concat"});
        last = "concat";
    }

    // Output projection.
    if (!identity) {
        w.node("W_O", "W_O", "[[", "]]");
        w.edges({last}, {"W_O"});
        last = "W_O";
    }
    w.node("output", identity ? "output" : "output = concat W_Oᵀ + b_O", "([", "])");
    w.edges({last}, {"output"});
    return w.str();
}

} // namespace attn
