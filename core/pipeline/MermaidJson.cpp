#include "MermaidJson.h"

#include <nlohmann/json.hpp>

namespace attn {

nlohmann::json MermaidJson::toJson(const MermaidGraph& graph, const StageBinding& binding)
{
    nlohmann::json nodes = nlohmann::json::array();
    for (const MermaidNode& n : graph.nodes) {
        const auto stage = binding.stageOf(n.id);
        nodes.push_back({{"id", n.id}, {"label", n.label}, {"shape", toString(n.shape)},
            {"stage", stage ? nlohmann::json(*stage) : nlohmann::json(nullptr)}});
    }
    nlohmann::json edges = nlohmann::json::array();
    for (const MermaidEdge& e : graph.edges)
        edges.push_back({{"from", e.from}, {"to", e.to}, {"kind", edgeKind(e)}, {"label", e.label}});
    nlohmann::json subgraphs = nlohmann::json::array();
    for (const MermaidSubgraph& s : graph.subgraphs)
        subgraphs.push_back({{"id", s.id}, {"title", s.title},
            {"direction", s.direction ? nlohmann::json(toString(*s.direction)) : nlohmann::json(nullptr)},
            {"parent", s.parent.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.parent)},
            {"nodes", s.nodeIds}});
    return {{"direction", toString(graph.direction)}, {"nodes", std::move(nodes)}, {"edges", std::move(edges)},
        {"subgraphs", std::move(subgraphs)}};
}

} // namespace attn
