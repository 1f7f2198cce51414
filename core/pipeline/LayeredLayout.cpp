#include "LayeredLayout.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace attn {

namespace {

using Point = PipelineLayout::Point;
using Rect = PipelineLayout::Rect;

// Edges oriented along a depth-first order: following them never returns to a node.
struct Dag {
    std::vector<int> order;                    // topological order of the boxes
    std::vector<std::pair<int, int>> oriented; // per edge (tail, head); self-loops keep (v, v)
};

Dag orient(const LayoutGraph& g)
{
    const int n = static_cast<int>(g.boxes.size());
    std::vector<std::vector<int>> out(static_cast<size_t>(n));
    for (const LayoutGraph::Edge& e : g.edges)
        if (e.from != e.to)
            out[static_cast<size_t>(e.from)].push_back(e.to);
    std::vector<char> seen(static_cast<size_t>(n), 0);
    std::vector<int> finished;
    finished.reserve(static_cast<size_t>(n));
    std::vector<std::pair<int, size_t>> stack;
    for (int s = 0; s < n; ++s) {
        if (seen[static_cast<size_t>(s)])
            continue;
        seen[static_cast<size_t>(s)] = 1;
        stack.push_back({s, 0});
        while (!stack.empty()) {
            auto& [v, next] = stack.back();
            const auto& succ = out[static_cast<size_t>(v)];
            if (next < succ.size()) {
                const int w = succ[next++];
                if (!seen[static_cast<size_t>(w)]) {
                    seen[static_cast<size_t>(w)] = 1;
                    stack.push_back({w, 0});
                }
            } else {
                finished.push_back(v);
                stack.pop_back();
            }
        }
    }
    Dag d;
    d.order.assign(finished.rbegin(), finished.rend());
    std::vector<int> position(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i)
        position[static_cast<size_t>(d.order[static_cast<size_t>(i)])] = i;
    for (const LayoutGraph::Edge& e : g.edges) {
        if (position[static_cast<size_t>(e.from)] <= position[static_cast<size_t>(e.to)])
            d.oriented.push_back({e.from, e.to});
        else
            d.oriented.push_back({e.to, e.from});
    }
    return d;
}

std::vector<int> longestPathRanks(const LayoutGraph& g, const Dag& d)
{
    const size_t n = g.boxes.size();
    std::vector<std::vector<std::pair<int, int>>> out(n); // (head, min length)
    for (size_t e = 0; e < g.edges.size(); ++e) {
        const auto [a, b] = d.oriented[e];
        if (a != b)
            out[static_cast<size_t>(a)].push_back({b, std::max(0, g.edges[e].minLength)});
    }
    std::vector<int> rank(n, 0);
    for (int v : d.order)
        for (const auto& [w, len] : out[static_cast<size_t>(v)])
            rank[static_cast<size_t>(w)] = std::max(rank[static_cast<size_t>(w)], rank[static_cast<size_t>(v)] + len);
    return rank;
}

bool vertical(FlowDirection d) { return d == FlowDirection::TD || d == FlowDirection::TB || d == FlowDirection::BT; }

Point straight(Point a, Point b, double t) { return {a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t}; }

Rect unite(const Rect& a, const Rect& b)
{
    const double x = std::min(a.x, b.x), y = std::min(a.y, b.y);
    return {x, y, std::max(a.right(), b.right()) - x, std::max(a.bottom(), b.bottom()) - y};
}

} // namespace

std::vector<int> LayeredLayout::ranks(const LayoutGraph& g) { return longestPathRanks(g, orient(g)); }

long LayeredLayout::dotWork(const LayoutGraph& g)
{
    const Dag d = orient(g);
    const std::vector<int> rank = longestPathRanks(g, d);
    const bool labels = std::any_of(g.edges.begin(), g.edges.end(), [](const auto& e) { return e.hasLabel; });
    long work = static_cast<long>(g.boxes.size());
    for (const auto& [a, b] : d.oriented) {
        const long span = std::abs(rank[static_cast<size_t>(b)] - rank[static_cast<size_t>(a)]) * (labels ? 2 : 1);
        work += std::max(0L, span - 1);
    }
    return work;
}

LayoutGraph::Placement LayeredLayout::place(const LayoutGraph& g, const PipelineLayout::Options& options)
{
    const size_t n = g.boxes.size();
    const Dag dag = orient(g);
    const std::vector<int> rank = longestPathRanks(g, dag);
    const int rankCount = n == 0 ? 0 : *std::max_element(rank.begin(), rank.end()) + 1;
    const bool isVertical = vertical(g.direction);
    auto along = [&](const LayoutGraph::Size& s) { return isVertical ? s.height : s.width; };  // rank axis
    auto across = [&](const LayoutGraph::Size& s) { return isVertical ? s.width : s.height; }; // order axis

    // Ranks, each ordered by barycentres of the neighbours in the rank before (sweeping down) or
    // after (sweeping up).
    std::vector<std::vector<int>> layers(static_cast<size_t>(rankCount));
    for (size_t v = 0; v < n; ++v)
        layers[static_cast<size_t>(rank[v])].push_back(static_cast<int>(v));
    std::vector<std::vector<int>> up(n), down(n);
    for (const auto& [a, b] : dag.oriented) {
        if (a == b)
            continue;
        down[static_cast<size_t>(a)].push_back(b);
        up[static_cast<size_t>(b)].push_back(a);
    }
    std::vector<double> slot(n, 0.0);
    auto renumber = [&](const std::vector<int>& layer) {
        const double middle = (static_cast<double>(layer.size()) - 1) / 2;
        for (size_t i = 0; i < layer.size(); ++i)
            slot[static_cast<size_t>(layer[i])] = static_cast<double>(i) - middle;
    };
    for (const auto& layer : layers)
        renumber(layer);
    std::vector<double> key(n, 0.0);
    for (int sweep = 0; sweep < 4; ++sweep) {
        const bool downwards = sweep % 2 == 0;
        for (int i = 0; i < rankCount; ++i) {
            auto& layer = layers[static_cast<size_t>(downwards ? i : rankCount - 1 - i)];
            for (int v : layer) {
                const auto& nb = downwards ? up[static_cast<size_t>(v)] : down[static_cast<size_t>(v)];
                double sum = 0;
                for (int w : nb)
                    sum += slot[static_cast<size_t>(w)];
                key[static_cast<size_t>(v)] = nb.empty() ? slot[static_cast<size_t>(v)] : sum / static_cast<double>(nb.size());
            }
            std::stable_sort(layer.begin(), layer.end(),
                [&](int a, int b) { return key[static_cast<size_t>(a)] < key[static_cast<size_t>(b)]; });
            renumber(layer);
        }
    }

    // Coordinates along the ranks (rank axis) and within them (order axis), centred on 0.
    double labelRoom = 0;
    for (const auto& e : g.edges)
        if (e.hasLabel)
            labelRoom = std::max(labelRoom, along(e.label) + 8);
    std::vector<double> rankStart(static_cast<size_t>(rankCount), 0.0), rankThickness(static_cast<size_t>(rankCount), 0.0);
    double position = 0;
    for (int r = 0; r < rankCount; ++r) {
        for (int v : layers[static_cast<size_t>(r)])
            rankThickness[static_cast<size_t>(r)] = std::max(rankThickness[static_cast<size_t>(r)], along(g.boxes[static_cast<size_t>(v)]));
        rankStart[static_cast<size_t>(r)] = position;
        position += rankThickness[static_cast<size_t>(r)] + options.rankSeparation + labelRoom;
    }
    const double rankTotal = std::max(0.0, position - options.rankSeparation - labelRoom);
    const bool reversed = g.direction == FlowDirection::BT || g.direction == FlowDirection::RL;

    LayoutGraph::Placement out;
    out.boxes.resize(n);
    for (int r = 0; r < rankCount; ++r) {
        const auto& layer = layers[static_cast<size_t>(r)];
        double length = 0;
        for (int v : layer)
            length += across(g.boxes[static_cast<size_t>(v)]);
        length += options.nodeSeparation * (layer.empty() ? 0 : static_cast<double>(layer.size() - 1));
        double cursor = -length / 2;
        for (int v : layer) {
            const LayoutGraph::Size& s = g.boxes[static_cast<size_t>(v)];
            const double centreAcross = cursor + across(s) / 2;
            cursor += across(s) + options.nodeSeparation;
            double centreAlong = rankStart[static_cast<size_t>(r)] + rankThickness[static_cast<size_t>(r)] / 2;
            if (reversed)
                centreAlong = rankTotal - centreAlong;
            const Point c = isVertical ? Point{centreAcross, centreAlong} : Point{centreAlong, centreAcross};
            out.boxes[static_cast<size_t>(v)] = Rect{c.x - s.width / 2, c.y - s.height / 2, s.width, s.height};
        }
    }

    // Straight edges centre to centre; a loop beside its box.
    out.curves.resize(g.edges.size());
    out.labels.resize(g.edges.size());
    for (size_t e = 0; e < g.edges.size(); ++e) {
        const LayoutGraph::Edge& le = g.edges[e];
        const Rect& a = out.boxes[static_cast<size_t>(le.from)];
        const Rect& b = out.boxes[static_cast<size_t>(le.to)];
        const Point pa = a.center(), pb = b.center();
        Point mid;
        if (le.from == le.to) {
            const double reach = a.width / 2 + 24;
            out.curves[e] = {pa, {pa.x + reach, pa.y - a.height}, {pa.x + reach, pa.y + a.height}, pa};
            mid = {pa.x + reach * 0.75, pa.y};
        } else {
            out.curves[e] = {pa, straight(pa, pb, 1.0 / 3), straight(pa, pb, 2.0 / 3), pb};
            mid = straight(pa, pb, 0.5);
        }
        if (le.hasLabel)
            out.labels[e] = Rect{mid.x - le.label.width / 2, mid.y - le.label.height / 2, le.label.width, le.label.height};
    }

    // Cluster boxes around their members, innermost first (children come after their parents).
    out.clusters.assign(g.clusters.size(), Rect{});
    out.titles.assign(g.clusters.size(), Rect{});
    std::vector<char> hasContent(g.clusters.size(), 0);
    std::vector<Rect> content(g.clusters.size());
    for (size_t c = 0; c < g.clusters.size(); ++c)
        for (int b : g.clusters[c].boxes) {
            content[c] = hasContent[c] ? unite(content[c], out.boxes[static_cast<size_t>(b)]) : out.boxes[static_cast<size_t>(b)];
            hasContent[c] = 1;
        }
    for (size_t i = g.clusters.size(); i-- > 0;) {
        const LayoutGraph::Cluster& cl = g.clusters[i];
        const double m = options.clusterMargin;
        const Rect inner = hasContent[i] ? content[i] : Rect{0, 0, 0, 0};
        const double titleHeight = cl.title.height > 0 ? cl.title.height + 4 : 0;
        const double width = std::max(inner.width + 2 * m, cl.title.width + 2 * m);
        Rect box{inner.center().x - width / 2, inner.y - m - titleHeight, width, inner.height + 2 * m + titleHeight};
        out.clusters[i] = box;
        if (cl.title.width > 0)
            out.titles[i] = Rect{box.center().x - cl.title.width / 2, box.y + m / 2, cl.title.width, cl.title.height};
        if (cl.parent >= 0) {
            const size_t p = static_cast<size_t>(cl.parent);
            content[p] = hasContent[p] ? unite(content[p], box) : box;
            hasContent[p] = 1;
        }
    }

    // Move everything so that the top left is at (0, 0).
    double minX = std::numeric_limits<double>::max(), minY = minX, maxX = std::numeric_limits<double>::lowest(), maxY = maxX;
    auto extend = [&](const Rect& r) {
        minX = std::min(minX, r.x);
        minY = std::min(minY, r.y);
        maxX = std::max(maxX, r.right());
        maxY = std::max(maxY, r.bottom());
    };
    for (const Rect& r : out.boxes)
        extend(r);
    for (const Rect& r : out.clusters)
        extend(r);
    for (size_t e = 0; e < g.edges.size(); ++e) {
        if (g.edges[e].hasLabel)
            extend(out.labels[e]);
        for (const Point& p : out.curves[e])
            extend(Rect{p.x, p.y, 0, 0});
    }
    if (minX > maxX) {
        minX = minY = 0;
        maxX = maxY = 0;
    }
    auto shift = [&](Rect& r) {
        r.x -= minX;
        r.y -= minY;
    };
    for (Rect& r : out.boxes)
        shift(r);
    for (Rect& r : out.clusters)
        shift(r);
    for (Rect& r : out.titles)
        shift(r);
    for (Rect& r : out.labels)
        shift(r);
    for (auto& curve : out.curves)
        for (Point& p : curve) {
            p.x -= minX;
            p.y -= minY;
        }
    out.width = maxX - minX;
    out.height = maxY - minY;
    return out;
}

} // namespace attn
