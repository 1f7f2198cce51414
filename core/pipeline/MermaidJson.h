#pragma once
// The JSON form of a parsed flowchart with its stage binding, for the CLI and session files:
//   {"direction": "TD",
//    "nodes":     [{"id", "label", "shape", "stage"}],          stage: the bound stage name or null
//    "edges":     [{"from", "to", "kind", "label"}],             kind: edgeKind(), label "" when none
//    "subgraphs": [{"id", "title", "direction", "parent", "nodes"}]}  direction/parent null when unset
// Labels keep their line breaks as "\n".
#include "MermaidGraph.h"
#include "StageBinder.h"

#include <nlohmann/json_fwd.hpp>

namespace attn {

class MermaidJson {
public:
    static nlohmann::json toJson(const MermaidGraph& graph, const StageBinding& binding);
};

} // namespace attn
