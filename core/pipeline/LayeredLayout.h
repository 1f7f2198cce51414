#pragma once
// A simple layered (Sugiyama-style) layout of our own, for graphs too large for Graphviz within
// the time budget: cycles broken by a depth-first search, longest-path ranks, a few barycentre
// sweeps to order each rank, ranks stacked in the flow direction, straight edges, cluster boxes
// around their members. Linear in nodes + edges per sweep; 10,000 nodes take milliseconds.
#include "LayoutGraph.h"

#include <vector>

namespace attn {

class LayeredLayout {
public:
    static LayoutGraph::Placement place(const LayoutGraph& graph, const PipelineLayout::Options& options);
    // Longest-path ranks after breaking cycles (edges' minLength respected).
    static std::vector<int> ranks(const LayoutGraph& graph);
    // An estimate of dot's work: boxes plus the virtual nodes its long edges need.
    static long dotWork(const LayoutGraph& graph);
};

} // namespace attn
