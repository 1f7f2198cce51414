#pragma once
// A flowchart reduced to what a layout engine needs (GraphvizLayout, LayeredLayout): boxes of a
// given size, edges between them, nested clusters with a title; and where the engine put them.
// PipelineLayout builds one per direction scope and maps the placement back to the graph.
#include "PipelineLayout.h"

#include <vector>

namespace attn {

struct LayoutGraph {
    using Size = PipelineLayout::Size;
    using Point = PipelineLayout::Point;
    using Rect = PipelineLayout::Rect;

    struct Edge {
        int from = 0;
        int to = 0;
        int minLength = 1; // in ranks
        bool hasLabel = false;
        Size label;
    };
    struct Cluster {
        int parent = -1;        // enclosing cluster, -1 at top level
        Size title;             // {0, 0}: no title
        std::vector<int> boxes; // the boxes directly inside
    };
    // Where everything went: origin at the top left, y down; curves run centre to centre.
    struct Placement {
        double width = 0;
        double height = 0;
        std::vector<Rect> boxes;
        std::vector<std::vector<Point>> curves; // cubic Bézier control points per edge
        std::vector<Rect> labels;               // per edge (empty rect without a label)
        std::vector<Rect> clusters;
        std::vector<Rect> titles;
    };

    FlowDirection direction = FlowDirection::TD;
    std::vector<Size> boxes;
    std::vector<Edge> edges;
    std::vector<Cluster> clusters; // a cluster's parent comes before it
};

} // namespace attn
