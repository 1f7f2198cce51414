#pragma once
// Lays out a LayoutGraph with Graphviz's dot (cgraph + gvc): boxes as fixed-size nodes without
// text, clusters with a fixed-size title, edge labels as fixed-size HTML labels (the caller has
// measured every text), edges unclipped (centre to centre; PipelineLayout clips them to the real
// shapes). Graphviz keeps global state, so calls are serialised by a mutex; the context is
// created once and kept. Its messages are collected, never printed.
#include "Expected.h"
#include "LayoutGraph.h"

namespace attn {

class GraphvizLayout {
public:
    enum class Effort {
        Full,    // dot's defaults, spline edges
        Reduced, // fewer crossing-minimisation and network-simplex iterations
        Minimal, // a few iterations, straight edges
    };
    static Expected<LayoutGraph::Placement> place(const LayoutGraph& graph, const PipelineLayout::Options& options,
        Effort effort);
};

} // namespace attn
