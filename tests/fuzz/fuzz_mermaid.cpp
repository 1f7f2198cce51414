// libFuzzer harness: MermaidParser::parse on arbitrary text, then the stage binding and the JSON
// form of every graph it accepts (what the pipeline view and the CLI do with a parsed diagram).
#include "FuzzCommon.h"

#include "MermaidJson.h"
#include "MermaidParser.h"
#include "StageBinder.h"

#include <nlohmann/json.hpp>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size > attn::fuzz::kMaxFuzzInput)
        return -1;
    const auto graph = attn::MermaidParser::parse(attn::fuzz::asString(data, size));
    if (!graph) {
        FUZZ_CHECK(!graph.error().empty());
        return 0;
    }
    FUZZ_CHECK(graph->nodes.size() <= static_cast<size_t>(attn::MermaidParser::kMaxNodes));
    FUZZ_CHECK(graph->edges.size() <= static_cast<size_t>(attn::MermaidParser::kMaxEdges));
    for (size_t i = 0; i < graph->edges.size(); ++i) // linkStyle indices refer to source order
        FUZZ_CHECK(graph->edges[i].index == static_cast<int>(i));
    for (const auto& node : graph->nodes) {
        FUZZ_CHECK(graph->findNode(node.id) != nullptr);
        FUZZ_CHECK(node.line >= 1 && node.column >= 1);
    }
    const auto binding = attn::StageBinder::bind(*graph);
    const auto json = attn::MermaidJson::toJson(*graph, binding);
    const std::string text = json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    FUZZ_CHECK(!text.empty());
    return 0;
}
