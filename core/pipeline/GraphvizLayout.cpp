#include "GraphvizLayout.h"

#include <gvc.h>

#include <algorithm>
#include <clocale>
#include <cmath>
#include <cstdio>
#include <locale.h>
#include <map>
#include <mutex>
#include <string>

#if defined(__SANITIZE_ADDRESS__)
// Graphviz 2.42 (Debian 12) leaks inside its own layout code (dot's mincross and splines, the
// plugin configuration): not ours to fix, so LeakSanitizer is told to ignore allocations made
// there. Our own leaks stay reported.
extern "C" const char* __lsan_default_suppressions()
{
    return "leak:libgvc.so\nleak:libcgraph.so\nleak:libcdt.so\nleak:libpathplan.so\nleak:libgvplugin_dot_layout.so\n";
}
#endif

namespace attn {

namespace {

using Point = PipelineLayout::Point;
using Rect = PipelineLayout::Rect;

std::mutex& graphvizMutex()
{
    static std::mutex m;
    return m;
}

// Graphviz's messages (warnings and errors), collected while the mutex is held.
std::string& messages()
{
    static std::string m;
    return m;
}

int collectMessage(char* text)
{
    if (messages().size() < 2000)
        messages() += text;
    return 0;
}

// One context for the process: creating one costs ~20 ms (it reads the plugin configuration).
GVC_t* context()
{
    static GVC_t* gvc = gvContext();
    return gvc;
}

// Graphviz reads numbers with strtod: make this thread's numeric locale "C" while it works.
class CNumericLocale {
public:
    CNumericLocale()
        : m_c(newlocale(LC_NUMERIC_MASK, "C", static_cast<locale_t>(nullptr)))
    {
        if (m_c)
            m_previous = uselocale(m_c);
    }
    ~CNumericLocale()
    {
        if (m_c) {
            uselocale(m_previous);
            freelocale(m_c);
        }
    }
    CNumericLocale(const CNumericLocale&) = delete;
    CNumericLocale& operator=(const CNumericLocale&) = delete;

private:
    locale_t m_c = static_cast<locale_t>(nullptr);
    locale_t m_previous = static_cast<locale_t>(nullptr);
};

std::string num(double v)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.4f", v);
    return buf;
}

char* mut(const std::string& s) { return const_cast<char*>(s.c_str()); }
char* mut(const char* s) { return const_cast<char*>(s); }

void set(void* object, const char* name, const std::string& value)
{
    agsafeset(object, mut(name), mut(value), mut(""));
}

// A label of exactly w x h points and no text: an empty fixed-size HTML table cell.
void setFixedLabel(Agraph_t* root, void* object, PipelineLayout::Size size)
{
    const int w = std::max(1, static_cast<int>(std::ceil(size.width)));
    const int h = std::max(1, static_cast<int>(std::ceil(size.height)));
    const std::string html = "<TABLE BORDER=\"0\" CELLBORDER=\"0\" CELLSPACING=\"0\" CELLPADDING=\"0\"><TR><TD "
                             "FIXEDSIZE=\"TRUE\" WIDTH=\"" +
                             std::to_string(w) + "\" HEIGHT=\"" + std::to_string(h) + "\"></TD></TR></TABLE>";
    char* value = agstrdup_html(root, mut(html));
    agsafeset(object, mut("label"), value, mut(""));
    agstrfree(root, value);
}

const char* rankdir(FlowDirection d)
{
    switch (d) {
    case FlowDirection::TD:
    case FlowDirection::TB: return "TB";
    case FlowDirection::BT: return "BT";
    case FlowDirection::LR: return "LR";
    case FlowDirection::RL: return "RL";
    }
    return "TB";
}

// Frees the graph (and its layout) however the function returns.
struct GraphGuard {
    Agraph_t* graph = nullptr;
    bool laidOut = false;
    ~GraphGuard()
    {
        if (!graph)
            return;
        if (laidOut)
            gvFreeLayout(context(), graph);
        agclose(graph);
    }
};

} // namespace

Expected<LayoutGraph::Placement> GraphvizLayout::place(
    const LayoutGraph& lg, const PipelineLayout::Options& options, Effort effort)
{
    std::lock_guard lock(graphvizMutex());
    CNumericLocale cLocale;
    messages().clear();
    const agusererrf previousHandler = agseterrf(collectMessage);
    struct RestoreHandler {
        agusererrf previous;
        ~RestoreHandler() { agseterrf(previous); }
    } restore{previousHandler};

    GVC_t* gvc = context();
    if (!gvc)
        return makeError("Graphviz could not be initialised");

    GraphGuard guard;
    Agdesc_t directed = Agdirected;
    guard.graph = agopen(mut("pipeline"), directed, nullptr);
    Agraph_t* g = guard.graph;

    // Defaults first: agsafeset on an object needs the attribute declared.
    agattr(g, AGRAPH, mut("rankdir"), mut(rankdir(lg.direction)));
    agattr(g, AGRAPH, mut("nodesep"), mut(num(options.nodeSeparation / 72.0)));
    agattr(g, AGRAPH, mut("ranksep"), mut(num(options.rankSeparation / 72.0)));
    agattr(g, AGRAPH, mut("label"), mut(""));
    agattr(g, AGRAPH, mut("ordering"), mut("out")); // siblings keep their source order, as in Mermaid
    switch (effort) {
    case Effort::Full:
        agattr(g, AGRAPH, mut("splines"), mut("spline"));
        break;
    case Effort::Reduced:
        agattr(g, AGRAPH, mut("splines"), mut("spline"));
        agattr(g, AGRAPH, mut("mclimit"), mut("0.1"));
        agattr(g, AGRAPH, mut("nslimit"), mut("0.5"));
        agattr(g, AGRAPH, mut("nslimit1"), mut("0.5"));
        break;
    case Effort::Minimal:
        agattr(g, AGRAPH, mut("splines"), mut("line"));
        agattr(g, AGRAPH, mut("mclimit"), mut("0.01"));
        agattr(g, AGRAPH, mut("nslimit"), mut("0.01"));
        agattr(g, AGRAPH, mut("nslimit1"), mut("0.01"));
        agattr(g, AGRAPH, mut("remincross"), mut("false"));
        break;
    }
    agattr(g, AGNODE, mut("shape"), mut("box"));
    agattr(g, AGNODE, mut("fixedsize"), mut("true"));
    agattr(g, AGNODE, mut("label"), mut(""));
    agattr(g, AGNODE, mut("width"), mut("0.75"));
    agattr(g, AGNODE, mut("height"), mut("0.5"));
    agattr(g, AGNODE, mut("margin"), mut("0"));
    agattr(g, AGEDGE, mut("headclip"), mut("false"));
    agattr(g, AGEDGE, mut("tailclip"), mut("false"));
    agattr(g, AGEDGE, mut("dir"), mut("none"));
    agattr(g, AGEDGE, mut("label"), mut(""));
    agattr(g, AGEDGE, mut("minlen"), mut("1"));

    // Clusters, parents before children.
    std::vector<Agraph_t*> clusters(lg.clusters.size(), nullptr);
    for (size_t c = 0; c < lg.clusters.size(); ++c) {
        const LayoutGraph::Cluster& cl = lg.clusters[c];
        Agraph_t* parent = cl.parent < 0 ? g : clusters[static_cast<size_t>(cl.parent)];
        if (!parent)
            return makeError("cluster " + std::to_string(c) + " comes before its parent");
        const std::string name = "cluster_" + std::to_string(c);
        clusters[c] = agsubg(parent, mut(name), 1);
        set(clusters[c], "margin", num(options.clusterMargin));
        if (cl.title.width > 0 && cl.title.height > 0)
            setFixedLabel(g, clusters[c], cl.title);
    }

    std::vector<Agnode_t*> nodes(lg.boxes.size(), nullptr);
    for (size_t i = 0; i < lg.boxes.size(); ++i) {
        const std::string name = "b" + std::to_string(i);
        nodes[i] = agnode(g, mut(name), 1);
        set(nodes[i], "width", num(std::max(1.0, lg.boxes[i].width) / 72.0));
        set(nodes[i], "height", num(std::max(1.0, lg.boxes[i].height) / 72.0));
    }
    for (size_t c = 0; c < lg.clusters.size(); ++c)
        for (int b : lg.clusters[c].boxes)
            agsubnode(clusters[c], nodes[static_cast<size_t>(b)], 1); // also installs it in the ancestors

    // An edge belongs to the innermost cluster holding both its ends: dot lays a cluster out
    // with the edges of its own subgraph.
    std::vector<int> boxCluster(lg.boxes.size(), -1);
    for (size_t c = 0; c < lg.clusters.size(); ++c)
        for (int b : lg.clusters[c].boxes)
            boxCluster[static_cast<size_t>(b)] = static_cast<int>(c);
    auto commonCluster = [&](int a, int b) -> Agraph_t* {
        for (int ca = boxCluster[static_cast<size_t>(a)]; ca >= 0; ca = lg.clusters[static_cast<size_t>(ca)].parent)
            for (int cb = boxCluster[static_cast<size_t>(b)]; cb >= 0; cb = lg.clusters[static_cast<size_t>(cb)].parent)
                if (ca == cb)
                    return clusters[static_cast<size_t>(ca)];
        return g;
    };
    // A labelled edge goes through a node of its label's size, as in Mermaid (dagre): the label
    // sits on the line, and dot's own edge labels (which double every rank and defeat the
    // ordering below) are not needed.
    std::vector<Agedge_t*> edges(lg.edges.size(), nullptr);    // the edge, or its first half
    std::vector<Agedge_t*> seconds(lg.edges.size(), nullptr);  // a labelled edge's second half
    std::vector<Agnode_t*> labels(lg.edges.size(), nullptr);
    for (size_t e = 0; e < lg.edges.size(); ++e) {
        const LayoutGraph::Edge& le = lg.edges[e];
        const std::string name = "e" + std::to_string(e); // named: parallel edges stay distinct
        Agraph_t* owner = commonCluster(le.from, le.to);
        Agnode_t* from = nodes[static_cast<size_t>(le.from)];
        Agnode_t* to = nodes[static_cast<size_t>(le.to)];
        if (!le.hasLabel) {
            edges[e] = agedge(owner, from, to, mut(name), 1);
            if (le.minLength != 1)
                set(edges[e], "minlen", std::to_string(std::max(0, le.minLength)));
            continue;
        }
        labels[e] = agnode(g, mut("l" + std::to_string(e)), 1);
        set(labels[e], "width", num((std::max(1.0, le.label.width) + 8) / 72.0));
        set(labels[e], "height", num((std::max(1.0, le.label.height) + 4) / 72.0));
        if (owner != g)
            agsubnode(owner, labels[e], 1);
        edges[e] = agedge(owner, from, labels[e], mut(name + "a"), 1);
        seconds[e] = agedge(owner, labels[e], to, mut(name + "b"), 1);
        if (le.minLength > 2)
            set(seconds[e], "minlen", std::to_string(le.minLength - 1));
    }

    auto layout = [&]() -> Status {
        if (gvLayout(gvc, g, "dot") != 0) {
            std::string m = messages();
            while (!m.empty() && (m.back() == '\n' || m.back() == ' '))
                m.pop_back();
            return makeError("Graphviz could not lay the diagram out" + (m.empty() ? std::string() : ": " + m));
        }
        guard.laidOut = true;
        return success();
    };
    if (Status st = layout(); !st)
        return st.takeError();

    // dot ignores `ordering` inside clusters and tends to reverse their nodes (head 3, 2, 1, 0).
    // Where a cluster's nodes of one rank came out of source order, chain them in order with
    // invisible edges in a rank=same subgraph, and lay out again (small graphs only).
    if (effort == Effort::Full && !lg.clusters.empty()) {
        struct Chain {
            size_t cluster;
            int rank;
            std::vector<int> boxes;
        };
        std::vector<Chain> chains;
        for (size_t c = 0; c < lg.clusters.size(); ++c) {
            std::map<int, std::vector<int>> byRank;
            for (int b : lg.clusters[c].boxes)
                byRank[ND_rank(nodes[static_cast<size_t>(b)])].push_back(b);
            for (auto& [rank, members] : byRank) {
                std::sort(members.begin(), members.end());
                bool inOrder = true;
                for (size_t i = 0; i + 1 < members.size(); ++i)
                    inOrder = inOrder && ND_order(nodes[static_cast<size_t>(members[i])]) <
                                             ND_order(nodes[static_cast<size_t>(members[i + 1])]);
                if (!inOrder)
                    chains.push_back({c, rank, members});
            }
        }
        if (!chains.empty()) {
            // The layout's data must go before the graph changes (dot frees it per edge).
            gvFreeLayout(gvc, g);
            guard.laidOut = false;
            agattr(g, AGRAPH, mut("rank"), mut(""));
            agattr(g, AGEDGE, mut("style"), mut(""));
            for (const Chain& chain : chains) {
                const std::string name = "order_" + std::to_string(chain.cluster) + "_" + std::to_string(chain.rank);
                Agraph_t* same = agsubg(clusters[chain.cluster], mut(name), 1);
                set(same, "rank", "same");
                for (size_t i = 0; i < chain.boxes.size(); ++i) {
                    agsubnode(same, nodes[static_cast<size_t>(chain.boxes[i])], 1);
                    if (i == 0)
                        continue;
                    const std::string edgeName = name + "_" + std::to_string(i);
                    Agedge_t* e = agedge(same, nodes[static_cast<size_t>(chain.boxes[i - 1])],
                        nodes[static_cast<size_t>(chain.boxes[i])], mut(edgeName), 1);
                    set(e, "style", "invis");
                }
            }
            if (Status st = layout(); !st)
                return st.takeError();
        }
    }

    // Graphviz: points, y up, origin at the bounding box's lower left. Ours: y down, origin top left.
    const boxf bb = GD_bb(g);
    auto toPoint = [&](pointf p) { return Point{p.x - bb.LL.x, bb.UR.y - p.y}; };
    auto toRect = [&](pointf center, double w, double h) {
        const Point c = toPoint(center);
        return Rect{c.x - w / 2, c.y - h / 2, w, h};
    };

    LayoutGraph::Placement out;
    out.width = bb.UR.x - bb.LL.x;
    out.height = bb.UR.y - bb.LL.y;
    out.boxes.resize(lg.boxes.size());
    for (size_t i = 0; i < lg.boxes.size(); ++i)
        out.boxes[i] = toRect(ND_coord(nodes[i]), lg.boxes[i].width, lg.boxes[i].height);
    out.curves.resize(lg.edges.size());
    out.labels.resize(lg.edges.size());
    auto readCurve = [&](Agedge_t* edge, std::vector<Point>& curve) {
        const splines* spl = edge ? ED_spl(edge) : nullptr;
        if (!spl)
            return;
        for (int b = 0; b < spl->size; ++b) {
            const bezier& bz = spl->list[b];
            for (int k = 0; k < bz.size; ++k) {
                const Point p = toPoint(bz.list[k]);
                if (!curve.empty() && k == 0) {
                    // A further piece: join it with a straight cubic.
                    const Point from = curve.back();
                    curve.push_back({from.x + (p.x - from.x) / 3, from.y + (p.y - from.y) / 3});
                    curve.push_back({from.x + 2 * (p.x - from.x) / 3, from.y + 2 * (p.y - from.y) / 3});
                }
                curve.push_back(p);
            }
        }
    };
    for (size_t e = 0; e < lg.edges.size(); ++e) {
        const LayoutGraph::Edge& le = lg.edges[e];
        std::vector<Point>& curve = out.curves[e];
        readCurve(edges[e], curve);
        if (labels[e]) {
            const Point middle = toPoint(ND_coord(labels[e]));
            if (curve.size() >= 4)
                curve.back() = middle;
            std::vector<Point> second;
            readCurve(seconds[e], second);
            if (second.size() >= 4 && !curve.empty()) {
                curve.insert(curve.end(), second.begin() + 1, second.end());
            } else {
                curve.clear();
            }
            out.labels[e] = toRect(ND_coord(labels[e]), le.label.width, le.label.height);
        }
        // Graphviz's curves start/end one point off the centre: start/end them on it exactly.
        if (curve.size() >= 4 && (curve.size() - 1) % 3 == 0) {
            curve.front() = out.boxes[static_cast<size_t>(le.from)].center();
            curve.back() = out.boxes[static_cast<size_t>(le.to)].center();
        } else {
            const Point a = out.boxes[static_cast<size_t>(le.from)].center();
            const Point b = out.boxes[static_cast<size_t>(le.to)].center();
            curve = {a, {a.x + (b.x - a.x) / 3, a.y + (b.y - a.y) / 3}, {a.x + 2 * (b.x - a.x) / 3, a.y + 2 * (b.y - a.y) / 3}, b};
        }
    }
    out.clusters.resize(lg.clusters.size());
    out.titles.resize(lg.clusters.size());
    for (size_t c = 0; c < lg.clusters.size(); ++c) {
        const boxf cb = GD_bb(clusters[c]);
        out.clusters[c] = Rect{cb.LL.x - bb.LL.x, bb.UR.y - cb.UR.y, cb.UR.x - cb.LL.x, cb.UR.y - cb.LL.y};
        const LayoutGraph::Cluster& cl = lg.clusters[c];
        if (cl.title.width > 0 && GD_label(clusters[c]))
            out.titles[c] = toRect(GD_label(clusters[c])->pos, cl.title.width, cl.title.height);
    }
    return out;
}

} // namespace attn
