#include "PipelineLayout.h"

#include "GraphvizLayout.h"
#include "LayeredLayout.h"
#include "LayoutGraph.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>

namespace attn {

namespace {

using Point = PipelineLayout::Point;
using Rect = PipelineLayout::Rect;
using Size = PipelineLayout::Size;

constexpr double kPadX = 16;
constexpr double kPadY = 10;
constexpr double kOuterMargin = 8;
constexpr long kFullEffortWork = 2500;
constexpr long kReducedEffortWork = 8000;

bool sameDirection(FlowDirection a, FlowDirection b)
{
    auto norm = [](FlowDirection d) { return d == FlowDirection::TB ? FlowDirection::TD : d; };
    return norm(a) == norm(b);
}

// ---- curves -------------------------------------------------------------------------------------

bool inside(const std::vector<Point>& polygon, Point p)
{
    bool in = false;
    for (size_t i = 0, j = polygon.size() - 1; i < polygon.size(); j = i++) {
        const Point& a = polygon[i];
        const Point& b = polygon[j];
        if ((a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x)
            in = !in;
    }
    return in;
}

Point lerp(Point a, Point b, double t) { return {a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t}; }

Point cubicAt(const Point* c, double t)
{
    const Point ab = lerp(c[0], c[1], t), bc = lerp(c[1], c[2], t), cd = lerp(c[2], c[3], t);
    return lerp(lerp(ab, bc, t), lerp(bc, cd, t), t);
}

// The part of cubic c from t to 1 (de Casteljau).
void cubicTail(const Point* c, double t, Point* out)
{
    const Point ab = lerp(c[0], c[1], t), bc = lerp(c[1], c[2], t), cd = lerp(c[2], c[3], t);
    const Point abc = lerp(ab, bc, t), bcd = lerp(bc, cd, t);
    out[0] = lerp(abc, bcd, t);
    out[1] = bcd;
    out[2] = cd;
    out[3] = c[3];
}

// Cuts the start of the curve off where it leaves `polygon` (the curve starts inside it).
void clipStart(std::vector<Point>& curve, const std::vector<Point>& polygon)
{
    if (curve.size() < 4 || polygon.size() < 3 || !inside(polygon, curve.front()))
        return;
    for (size_t s = 0; s + 3 < curve.size(); s += 3) {
        const Point* seg = &curve[s];
        if (inside(polygon, seg[3]))
            continue;
        double lo = 0, hi = 1; // inside at lo, outside at hi
        for (int i = 0; i < 50; ++i) {
            const double mid = (lo + hi) / 2;
            (inside(polygon, cubicAt(seg, mid)) ? lo : hi) = mid;
        }
        Point tail[4];
        cubicTail(seg, hi, tail);
        std::vector<Point> clipped(tail, tail + 4);
        clipped.insert(clipped.end(), curve.begin() + static_cast<long>(s) + 4, curve.end());
        curve = std::move(clipped);
        return;
    }
}

void clipEnd(std::vector<Point>& curve, const std::vector<Point>& polygon)
{
    std::reverse(curve.begin(), curve.end());
    clipStart(curve, polygon);
    std::reverse(curve.begin(), curve.end());
}

std::vector<Point> rectPolygon(const Rect& r)
{
    return {{r.x, r.y}, {r.right(), r.y}, {r.right(), r.bottom()}, {r.x, r.bottom()}};
}

void arc(std::vector<Point>& out, Point c, double rx, double ry, double from, double to, int steps)
{
    for (int i = 0; i <= steps; ++i) {
        const double a = from + (to - from) * i / steps;
        out.push_back({c.x + rx * std::cos(a), c.y + ry * std::sin(a)});
    }
}

// ---- direction scopes ---------------------------------------------------------------------------

// An endpoint of an edge: a node, or a subgraph (Mermaid lets edges end at a subgraph).
struct Endpoint {
    int node = -1;
    int subgraph = -1;
    bool valid() const { return node >= 0 || subgraph >= 0; }
};

struct Scoped {
    LayoutGraph graph;
    LayoutGraph::Placement placement;
    std::vector<int> boxNode;     // box -> graph node, -1 for others
    std::vector<int> boxBlock;    // box -> separately laid out subgraph placed as one block, -1 for others
    std::vector<int> clusterOf;   // cluster -> graph subgraph
    std::vector<int> edgeOf;      // layout edge -> graph edge
    Size blockSize;               // for a subgraph scope: its box, title and margins included
    double titleHeight = 0;
    std::string engine;
    std::string note;
};

class Layouter {
public:
    Layouter(const MermaidGraph& g, const PipelineLayout::Sizes& sizes, const PipelineLayout::Options& options)
        : m_g(g)
        , m_sizes(sizes)
        , m_options(options)
    {
    }

    PipelineLayout::Result run();

private:
    void index();
    void decideScopes();
    void layoutScope(int scope); // -1: the whole graph
    void assemble(int scope, Point offset, PipelineLayout::Result& out);
    int scopeOfNode(int node) const { return m_nodeScope[static_cast<size_t>(node)]; }
    std::vector<int> chain(const Endpoint& e) const; // subgraphs containing the endpoint (itself too)
    std::vector<Point> endpointOutline(const Endpoint& e, const PipelineLayout::Result& r) const;

    const MermaidGraph& m_g;
    const PipelineLayout::Sizes& m_sizes;
    const PipelineLayout::Options& m_options;
    bool m_layeredOnly = false;
    std::string m_layeredReason;

    std::map<std::string, int> m_nodeIndex;
    std::map<std::string, int> m_subgraphIndex;
    std::vector<int> m_parent;      // subgraph -> parent subgraph, -1 at top level
    std::vector<int> m_nodeOwner;   // node -> owning subgraph, -1 at top level
    std::vector<Endpoint> m_from, m_to;
    std::vector<FlowDirection> m_direction; // effective direction per subgraph
    std::vector<char> m_separate;           // laid out on its own (its own direction)
    std::vector<int> m_nodeScope, m_subgraphScope;
    std::map<int, Scoped> m_scopes;
};

void Layouter::index()
{
    for (size_t i = 0; i < m_g.nodes.size(); ++i)
        m_nodeIndex.emplace(m_g.nodes[i].id, static_cast<int>(i));
    for (size_t i = 0; i < m_g.subgraphs.size(); ++i)
        m_subgraphIndex.emplace(m_g.subgraphs[i].id, static_cast<int>(i));
    m_parent.assign(m_g.subgraphs.size(), -1);
    for (size_t i = 0; i < m_g.subgraphs.size(); ++i) {
        const auto it = m_subgraphIndex.find(m_g.subgraphs[i].parent);
        if (!m_g.subgraphs[i].parent.empty() && it != m_subgraphIndex.end() && it->second < static_cast<int>(i))
            m_parent[i] = it->second;
    }
    m_nodeOwner.assign(m_g.nodes.size(), -1);
    for (size_t i = 0; i < m_g.nodes.size(); ++i) {
        const auto it = m_subgraphIndex.find(m_g.nodes[i].subgraph);
        if (!m_g.nodes[i].subgraph.empty() && it != m_subgraphIndex.end())
            m_nodeOwner[i] = it->second;
    }
    auto endpoint = [&](const std::string& id) {
        Endpoint e;
        if (const auto n = m_nodeIndex.find(id); n != m_nodeIndex.end())
            e.node = n->second;
        else if (const auto s = m_subgraphIndex.find(id); s != m_subgraphIndex.end())
            e.subgraph = s->second;
        return e;
    };
    for (const MermaidEdge& e : m_g.edges) {
        m_from.push_back(endpoint(e.from));
        m_to.push_back(endpoint(e.to));
    }
}

std::vector<int> Layouter::chain(const Endpoint& e) const
{
    std::vector<int> out;
    for (int s = e.node >= 0 ? m_nodeOwner[static_cast<size_t>(e.node)] : e.subgraph; s >= 0; s = m_parent[static_cast<size_t>(s)])
        out.push_back(s);
    return out;
}

void Layouter::decideScopes()
{
    const size_t count = m_g.subgraphs.size();
    // A subgraph is linked to the outside when an edge has exactly one end inside it, or ends at
    // the subgraph itself.
    std::vector<char> external(count, 0);
    for (size_t e = 0; e < m_g.edges.size(); ++e) {
        if (!m_from[e].valid() || !m_to[e].valid())
            continue;
        const std::vector<int> a = chain(m_from[e]), b = chain(m_to[e]);
        for (int s : a)
            if (std::find(b.begin(), b.end(), s) == b.end())
                external[static_cast<size_t>(s)] = 1;
        for (int s : b)
            if (std::find(a.begin(), a.end(), s) == a.end())
                external[static_cast<size_t>(s)] = 1;
        if (m_from[e].subgraph >= 0)
            external[static_cast<size_t>(m_from[e].subgraph)] = 1;
        if (m_to[e].subgraph >= 0)
            external[static_cast<size_t>(m_to[e].subgraph)] = 1;
    }
    m_direction.assign(count, m_g.direction);
    m_separate.assign(count, 0);
    for (size_t s = 0; s < count; ++s) { // parents come first
        const int p = m_parent[s];
        const FlowDirection inherited = p < 0 ? m_g.direction : m_direction[static_cast<size_t>(p)];
        const auto& own = m_g.subgraphs[s].direction;
        m_separate[s] = own && !sameDirection(*own, inherited) && !external[s];
        m_direction[s] = m_separate[s] ? *own : inherited;
    }
    m_subgraphScope.assign(count, -1);
    for (size_t s = 0; s < count; ++s) {
        int p = m_parent[s];
        while (p >= 0 && !m_separate[static_cast<size_t>(p)])
            p = m_parent[static_cast<size_t>(p)];
        m_subgraphScope[s] = p;
    }
    m_nodeScope.assign(m_g.nodes.size(), -1);
    for (size_t n = 0; n < m_g.nodes.size(); ++n) {
        int s = m_nodeOwner[n];
        while (s >= 0 && !m_separate[static_cast<size_t>(s)])
            s = m_parent[static_cast<size_t>(s)];
        m_nodeScope[n] = s;
    }
}

void Layouter::layoutScope(int scope)
{
    Scoped sc;
    LayoutGraph& lg = sc.graph;
    lg.direction = scope < 0 ? m_g.direction : m_direction[static_cast<size_t>(scope)];

    // Clusters: the subgraphs of this scope that are not laid out on their own.
    std::map<int, int> clusterIndex; // subgraph -> cluster
    for (size_t s = 0; s < m_g.subgraphs.size(); ++s) {
        if (m_separate[s] || m_subgraphScope[s] != scope)
            continue;
        LayoutGraph::Cluster c;
        const int p = m_parent[s];
        c.parent = (p < 0 || p == scope) ? -1 : clusterIndex.at(p);
        c.title = m_sizes.subgraphTitles[s];
        clusterIndex[static_cast<int>(s)] = static_cast<int>(lg.clusters.size());
        lg.clusters.push_back(c);
        sc.clusterOf.push_back(static_cast<int>(s));
    }
    auto place = [&](int owner, int box) {
        if (owner >= 0 && owner != scope)
            lg.clusters[static_cast<size_t>(clusterIndex.at(owner))].boxes.push_back(box);
    };
    std::map<int, int> nodeBox;
    for (size_t n = 0; n < m_g.nodes.size(); ++n) {
        if (m_nodeScope[n] != scope)
            continue;
        const int box = static_cast<int>(lg.boxes.size());
        nodeBox[static_cast<int>(n)] = box;
        lg.boxes.push_back(m_sizes.nodes[n]);
        sc.boxNode.push_back(static_cast<int>(n));
        sc.boxBlock.push_back(-1);
        place(m_nodeOwner[n], box);
    }
    std::map<int, int> blockBox;
    for (size_t s = 0; s < m_g.subgraphs.size(); ++s) {
        if (!m_separate[s] || m_subgraphScope[s] != scope)
            continue;
        const int box = static_cast<int>(lg.boxes.size());
        blockBox[static_cast<int>(s)] = box;
        lg.boxes.push_back(m_scopes.at(static_cast<int>(s)).blockSize);
        sc.boxNode.push_back(-1);
        sc.boxBlock.push_back(static_cast<int>(s));
        place(m_parent[s], box);
    }
    // An empty cluster still shows: a placeholder the size of its title.
    std::vector<char> filled(lg.clusters.size(), 0);
    for (size_t c = lg.clusters.size(); c-- > 0;) {
        if (!lg.clusters[c].boxes.empty())
            filled[c] = 1;
        if (!filled[c]) {
            const Size t = lg.clusters[c].title;
            lg.clusters[c].boxes.push_back(static_cast<int>(lg.boxes.size()));
            lg.boxes.push_back({std::max(24.0, t.width), std::max(12.0, t.height)});
            sc.boxNode.push_back(-1);
            sc.boxBlock.push_back(-1);
            filled[c] = 1;
        }
        if (lg.clusters[c].parent >= 0)
            filled[static_cast<size_t>(lg.clusters[c].parent)] = 1;
    }
    // A subgraph endpoint is represented by the first box inside it.
    auto representative = [&](int subgraph) -> int {
        std::vector<int> pending{clusterIndex.at(subgraph)};
        while (!pending.empty()) {
            const int c = pending.front();
            pending.erase(pending.begin());
            if (!lg.clusters[static_cast<size_t>(c)].boxes.empty())
                return lg.clusters[static_cast<size_t>(c)].boxes.front();
            for (size_t k = 0; k < lg.clusters.size(); ++k)
                if (lg.clusters[k].parent == c)
                    pending.push_back(static_cast<int>(k));
        }
        return -1;
    };
    auto boxOf = [&](const Endpoint& e) -> int {
        if (e.node >= 0) {
            const auto it = nodeBox.find(e.node);
            return it == nodeBox.end() ? -1 : it->second;
        }
        if (e.subgraph >= 0 && clusterIndex.count(e.subgraph))
            return representative(e.subgraph);
        return -1;
    };
    for (size_t e = 0; e < m_g.edges.size(); ++e) {
        const int a = boxOf(m_from[e]), b = boxOf(m_to[e]);
        if (a < 0 || b < 0)
            continue;
        LayoutGraph::Edge le;
        le.from = a;
        le.to = b;
        le.minLength = std::max(1, m_g.edges[e].length);
        le.label = m_sizes.edgeLabels[e];
        le.hasLabel = !m_g.edges[e].label.empty() && le.label.width > 0 && le.label.height > 0;
        lg.edges.push_back(le);
        sc.edgeOf.push_back(static_cast<int>(e));
    }

    // The engine: dot while its work stays within budget, our layered layout beyond.
    bool placed = false;
    if (!m_layeredOnly) {
        const long work = LayeredLayout::dotWork(lg);
        if (work <= m_options.maxGraphvizWork) {
            const auto effort = work <= kFullEffortWork      ? GraphvizLayout::Effort::Full
                                : work <= kReducedEffortWork ? GraphvizLayout::Effort::Reduced
                                                             : GraphvizLayout::Effort::Minimal;
            auto result = GraphvizLayout::place(lg, m_options, effort);
            if (result) {
                sc.placement = std::move(*result);
                sc.engine = effort == GraphvizLayout::Effort::Full ? "dot" : "dot (reduced effort)";
                placed = true;
            } else {
                sc.note = result.error() + "; a simple layered layout is shown instead";
            }
        } else {
            sc.note = "the diagram is too large for Graphviz within the time budget (estimated work " + std::to_string(work) +
                      " > " + std::to_string(m_options.maxGraphvizWork) + "); a simple layered layout is shown";
        }
    } else {
        sc.note = m_layeredReason;
    }
    if (!placed) {
        sc.placement = LayeredLayout::place(lg, m_options);
        sc.engine = "layered";
    }

    if (scope >= 0) {
        const double m = m_options.clusterMargin;
        const Size title = m_sizes.subgraphTitles[static_cast<size_t>(scope)];
        sc.titleHeight = title.height > 0 ? title.height + 4 : 0;
        sc.blockSize = {std::max(sc.placement.width, title.width) + 2 * m, sc.placement.height + 2 * m + sc.titleHeight};
    }
    m_scopes[scope] = std::move(sc);
}

void Layouter::assemble(int scope, Point offset, PipelineLayout::Result& out)
{
    const Scoped& sc = m_scopes.at(scope);
    auto moved = [&](Rect r) {
        r.x += offset.x;
        r.y += offset.y;
        return r;
    };
    for (size_t b = 0; b < sc.graph.boxes.size(); ++b) {
        const Rect r = moved(sc.placement.boxes[b]);
        if (sc.boxNode[b] >= 0) {
            out.nodes[static_cast<size_t>(sc.boxNode[b])].rect = r;
        } else if (sc.boxBlock[b] >= 0) {
            const int s = sc.boxBlock[b];
            const Scoped& inner = m_scopes.at(s);
            PipelineLayout::Subgraph& sg = out.subgraphs[static_cast<size_t>(s)];
            sg.rect = r;
            sg.direction = m_direction[static_cast<size_t>(s)];
            const Size title = m_sizes.subgraphTitles[static_cast<size_t>(s)];
            const double m = m_options.clusterMargin;
            sg.titleRect = {r.center().x - title.width / 2, r.y + m / 2, title.width, title.height};
            const Point innerOffset{r.center().x - inner.placement.width / 2, r.y + m + inner.titleHeight};
            assemble(s, innerOffset, out);
        }
    }
    for (size_t c = 0; c < sc.graph.clusters.size(); ++c) {
        PipelineLayout::Subgraph& sg = out.subgraphs[static_cast<size_t>(sc.clusterOf[c])];
        sg.rect = moved(sc.placement.clusters[c]);
        sg.titleRect = moved(sc.placement.titles[c]);
        sg.direction = sc.graph.direction;
    }
    for (size_t e = 0; e < sc.graph.edges.size(); ++e) {
        PipelineLayout::Edge& edge = out.edges[static_cast<size_t>(sc.edgeOf[e])];
        edge.curve = sc.placement.curves[e];
        for (Point& p : edge.curve) {
            p.x += offset.x;
            p.y += offset.y;
        }
        edge.hasLabel = sc.graph.edges[e].hasLabel;
        if (edge.hasLabel)
            edge.labelRect = moved(sc.placement.labels[e]);
    }
}

std::vector<Point> Layouter::endpointOutline(const Endpoint& e, const PipelineLayout::Result& r) const
{
    if (e.node >= 0)
        return PipelineLayout::outline(m_g.nodes[static_cast<size_t>(e.node)].shape, r.nodes[static_cast<size_t>(e.node)].rect);
    return rectPolygon(r.subgraphs[static_cast<size_t>(e.subgraph)].rect);
}

PipelineLayout::Result Layouter::run()
{
    index();
    decideScopes();
    const int maxNodes = m_options.maxGraphvizNodes, maxEdges = m_options.maxGraphvizEdges;
    if (static_cast<int>(m_g.nodes.size()) > maxNodes || static_cast<int>(m_g.edges.size()) > maxEdges) {
        m_layeredOnly = true;
        m_layeredReason = std::to_string(m_g.nodes.size()) + " nodes and " + std::to_string(m_g.edges.size()) +
                          " edges: more than Graphviz lays out in a few seconds (" + std::to_string(maxNodes) + " nodes, " +
                          std::to_string(maxEdges) + " edges); a simple layered layout is shown";
    }
    // Innermost separately laid out subgraphs first: a block's size is needed by its parent scope.
    std::vector<int> order;
    for (size_t s = 0; s < m_g.subgraphs.size(); ++s)
        if (m_separate[s])
            order.push_back(static_cast<int>(s));
    auto depth = [&](int s) {
        int d = 0;
        for (; s >= 0; s = m_parent[static_cast<size_t>(s)])
            ++d;
        return d;
    };
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return depth(a) > depth(b); });
    for (int s : order)
        layoutScope(s);
    layoutScope(-1);

    PipelineLayout::Result out;
    out.nodes.resize(m_g.nodes.size());
    out.edges.resize(m_g.edges.size());
    out.subgraphs.resize(m_g.subgraphs.size());
    assemble(-1, {kOuterMargin, kOuterMargin}, out);
    const Scoped& root = m_scopes.at(-1);
    out.width = root.placement.width + 2 * kOuterMargin;
    out.height = root.placement.height + 2 * kOuterMargin;

    out.engine = "dot";
    for (const auto& [scope, sc] : m_scopes) {
        if (sc.engine == "layered" || (sc.engine != "dot" && out.engine == "dot"))
            out.engine = sc.engine;
        if (!sc.note.empty() && out.note.empty())
            out.note = sc.note;
    }

    // Edges end on the outlines of their nodes (or subgraph boxes), where the arrowheads go.
    for (size_t e = 0; e < m_g.edges.size(); ++e) {
        auto& curve = out.edges[e].curve;
        if (curve.size() < 4 || !m_from[e].valid() || !m_to[e].valid())
            continue;
        clipStart(curve, endpointOutline(m_from[e], out));
        clipEnd(curve, endpointOutline(m_to[e], out));
    }
    return out;
}

} // namespace

Expected<PipelineLayout::Result> PipelineLayout::compute(const MermaidGraph& graph, const Sizes& sizes, const Options& options)
{
    if (sizes.nodes.size() != graph.nodes.size() || sizes.edgeLabels.size() != graph.edges.size() ||
        sizes.subgraphTitles.size() != graph.subgraphs.size())
        return makeError("the pipeline layout needs one size per node (" + std::to_string(graph.nodes.size()) +
                         "), edge label (" + std::to_string(graph.edges.size()) + ") and subgraph title (" +
                         std::to_string(graph.subgraphs.size()) + ")");
    return Layouter(graph, sizes, options).run();
}

Expected<PipelineLayout::Result> PipelineLayout::compute(const MermaidGraph& graph, const Sizes& sizes)
{
    return compute(graph, sizes, Options{});
}

double PipelineLayout::cylinderCap(double width, double height)
{
    return std::min({width / 2 / (2.5 + width / 50), 14.0, height / 4});
}

double PipelineLayout::slant(NodeShape shape, double height)
{
    switch (shape) {
    case NodeShape::Hexagon: return height / 4;
    case NodeShape::Parallelogram:
    case NodeShape::ParallelogramAlt:
    case NodeShape::Trapezoid:
    case NodeShape::TrapezoidAlt: return height * 0.4;
    case NodeShape::Asymmetric: return height / 2;
    default: return 0;
    }
}

PipelineLayout::Size PipelineLayout::nodeSize(NodeShape shape, Size text)
{
    const double tw = std::max(0.0, text.width), th = std::max(0.0, text.height);
    const double h = th + 2 * kPadY;
    switch (shape) {
    case NodeShape::Rect:
    case NodeShape::Round: return {tw + 2 * kPadX, h};
    case NodeShape::Subroutine: return {tw + 2 * kPadX + 16, h};
    case NodeShape::Stadium: return {tw + kPadX + h, h};
    case NodeShape::Cylinder: {
        const double w = tw + 2 * kPadX;
        return {w, h + 2 * cylinderCap(w, 1e9)};
    }
    case NodeShape::Circle: {
        const double d = std::hypot(tw, th) + 16;
        return {d, d};
    }
    case NodeShape::DoubleCircle: {
        const double d = std::hypot(tw, th) + 16 + 10;
        return {d, d};
    }
    case NodeShape::Asymmetric: return {tw + 2 * kPadX + slant(shape, h), h};
    case NodeShape::Diamond: {
        // The label's box fits in the rhombus when tw / W + th / H <= 1: here 2/3 + 1/3.
        const double H = 3 * th + 12;
        const double W = std::max(1.5 * tw + 24, H);
        return {W, H};
    }
    case NodeShape::Hexagon:
    case NodeShape::Parallelogram:
    case NodeShape::ParallelogramAlt:
    case NodeShape::Trapezoid:
    case NodeShape::TrapezoidAlt: return {tw + 24 + 2 * slant(shape, h), h};
    }
    return {tw + 2 * kPadX, h};
}

std::vector<PipelineLayout::Point> PipelineLayout::outline(NodeShape shape, const Rect& r)
{
    const double x = r.x, y = r.y, w = r.width, h = r.height, R = r.right(), B = r.bottom();
    const Point c = r.center();
    const double m = slant(shape, h);
    constexpr double pi = std::numbers::pi;
    std::vector<Point> p;
    switch (shape) {
    case NodeShape::Rect:
    case NodeShape::Round:
    case NodeShape::Subroutine: return rectPolygon(r);
    case NodeShape::Stadium: {
        const double rad = std::min(h, w) / 2;
        arc(p, {x + w - rad, c.y}, rad, rad, -pi / 2, pi / 2, 16);
        arc(p, {x + rad, c.y}, rad, rad, pi / 2, 3 * pi / 2, 16);
        return p;
    }
    case NodeShape::Cylinder: {
        const double cap = cylinderCap(w, h);
        arc(p, {c.x, y + cap}, w / 2, cap, pi, 2 * pi, 24);        // the top of the upper ellipse
        arc(p, {c.x, B - cap}, w / 2, cap, 0, pi, 24);              // the bottom of the lower one
        return p;
    }
    case NodeShape::Circle:
    case NodeShape::DoubleCircle: arc(p, c, w / 2, h / 2, 0, 2 * pi, 64); p.pop_back(); return p;
    case NodeShape::Asymmetric: return {{x, y}, {R, y}, {R, B}, {x, B}, {x + m, c.y}};
    case NodeShape::Diamond: return {{c.x, y}, {R, c.y}, {c.x, B}, {x, c.y}};
    case NodeShape::Hexagon: return {{x + m, y}, {R - m, y}, {R, c.y}, {R - m, B}, {x + m, B}, {x, c.y}};
    case NodeShape::Parallelogram: return {{x + m, y}, {R, y}, {R - m, B}, {x, B}};
    case NodeShape::ParallelogramAlt: return {{x, y}, {R - m, y}, {R, B}, {x + m, B}};
    case NodeShape::Trapezoid: return {{x + m, y}, {R - m, y}, {R, B}, {x, B}};
    case NodeShape::TrapezoidAlt: return {{x, y}, {R, y}, {R - m, B}, {x + m, B}};
    }
    return rectPolygon(r);
}

} // namespace attn
