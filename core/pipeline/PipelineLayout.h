#pragma once
// Places a parsed Mermaid flowchart for the pipeline view: node rectangles, edge curves, edge
// label positions and subgraph boxes, in points with y pointing down and the origin at the top
// left. The caller measures the text (node labels, edge labels, subgraph titles) with its own
// fonts, so CJK labels get their real size; nodeSize() turns a label's size into the size of
// its shape.
//
// Engine: Graphviz's dot (hierarchical, the closest to Mermaid's dagre) through cgraph/gvc, with
// subgraphs as clusters. Graphviz is not thread-safe: every call is serialised. Its running time
// grows quickly with long edges (virtual nodes), so the work is estimated first (nodes + the
// ranks long edges cross) and dot's effort is capped for large graphs; beyond kMaxGraphvizNodes,
// kMaxGraphvizEdges or the work budget the graph gets a simple layered layout of our own
// (longest-path ranks, barycentre ordering, straight edges), which is linear in the graph size.
// No call takes more than a few seconds, whatever the graph (the parser's limits hold).
//
// Edges: cubic Bézier control points (p0, c1, c2, p1, c1, c2, p2, ...), from the `from` node's
// outline to the `to` node's outline (outline() of its shape; a subgraph's box when an endpoint
// is a subgraph). Arrowheads are the caller's: the curve ends on the border, where the tip goes.
//
// Direction: the graph's rankdir (TD/TB/BT/LR/RL). A subgraph's own `direction` is honoured as
// Mermaid does: only when none of its nodes is linked to the outside; it is then laid out on
// its own and placed as one block. Otherwise it inherits its parent's direction.
#include "Expected.h"
#include "MermaidGraph.h"

#include <string>
#include <vector>

namespace attn {

class PipelineLayout {
public:
    struct Size {
        double width = 0;
        double height = 0;
    };
    struct Point {
        double x = 0;
        double y = 0;
    };
    struct Rect {
        double x = 0;
        double y = 0;
        double width = 0;
        double height = 0;
        double right() const { return x + width; }
        double bottom() const { return y + height; }
        Point center() const { return {x + width / 2, y + height / 2}; }
    };

    // What the caller measured: one entry per graph node / edge / subgraph, in the graph's order.
    // Edge labels and titles may be {0, 0} when there is no text.
    struct Sizes {
        std::vector<Size> nodes;
        std::vector<Size> edgeLabels;
        std::vector<Size> subgraphTitles;
    };
    struct Options {
        double nodeSeparation = 30;  // between nodes of one rank
        double rankSeparation = 44;  // between ranks
        double clusterMargin = 10;   // inside a subgraph box, around its content
        int maxGraphvizNodes = 2000; // above: the layered layout
        int maxGraphvizEdges = 4000;
        long maxGraphvizWork = 60000; // nodes + virtual nodes of long edges
    };

    struct Node {
        Rect rect;
    };
    struct Edge {
        std::vector<Point> curve; // cubic Bézier control points, 3n + 1 of them (n >= 1)
        bool hasLabel = false;
        Rect labelRect;
    };
    struct Subgraph {
        Rect rect;      // the box, title included
        Rect titleRect; // where the title goes (top of the box)
        FlowDirection direction = FlowDirection::TD; // the direction its content was laid out in
    };
    struct Result {
        double width = 0;
        double height = 0;
        std::vector<Node> nodes;         // graph.nodes order
        std::vector<Edge> edges;         // graph.edges order
        std::vector<Subgraph> subgraphs; // graph.subgraphs order
        std::string engine;              // "dot", "dot (reduced effort)" or "layered"
        std::string note;                // why a simpler engine was used; empty otherwise
    };

    // Fails only when `sizes` does not match the graph.
    static Expected<Result> compute(const MermaidGraph& graph, const Sizes& sizes, const Options& options);
    static Expected<Result> compute(const MermaidGraph& graph, const Sizes& sizes);

    // The size of a node's shape around a label of `text` size (padding, slanted sides, caps).
    static Size nodeSize(NodeShape shape, Size text);
    // The shape's outline as a closed polygon (curves approximated finely): what edges end on.
    static std::vector<Point> outline(NodeShape shape, const Rect& rect);
    // The inset of the slanted sides of hexagons, parallelograms and trapezoids, and the notch
    // of the asymmetric shape, for a shape of this height.
    static double slant(NodeShape shape, double height);
    // The height of the elliptic caps of a cylinder of this size.
    static double cylinderCap(double width, double height);
};

} // namespace attn
