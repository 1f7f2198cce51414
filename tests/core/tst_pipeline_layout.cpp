// The pipeline view's layout (Graphviz dot through cgraph/gvc, and our layered fallback): every
// seed diagram, every shape, subgraphs and the engine's own diagrams lay out with no overlapping
// nodes, edges that start and end on their nodes' outlines, subgraph boxes around their nodes,
// the flow direction honoured (also per subgraph, as Mermaid does), and a bounded time for huge
// or dense graphs.
#include "MermaidParser.h"
#include "Pcg32.h"
#include "PipelineDiagram.h"
#include "PipelineLayout.h"

#include <QElapsedTimer>
#include <QFile>
#include <QtTest>

#include <cmath>

using namespace attn;
using Layout = PipelineLayout;

namespace {

MermaidGraph parseOrFail(const std::string& text)
{
    auto g = MermaidParser::parse(text);
    if (!g)
        qFatal("unexpected parse error: %s", g.error().c_str());
    return *g;
}

// A stand-in for font metrics: 7 pt per ASCII character, 14 per other code point, 16 per line.
Layout::Size textSize(const std::string& text)
{
    double width = 0, line = 0;
    int lines = text.empty() ? 0 : 1;
    for (size_t i = 0; i < text.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        if (c == '\n') {
            ++lines;
            line = 0;
            continue;
        }
        if ((c & 0xC0) == 0x80)
            continue; // continuation byte
        line += c < 0x80 ? 7 : 14;
        width = std::max(width, line);
    }
    return {width, 16.0 * lines};
}

Layout::Sizes measure(const MermaidGraph& g)
{
    Layout::Sizes s;
    for (const MermaidNode& n : g.nodes)
        s.nodes.push_back(Layout::nodeSize(n.shape, textSize(n.label)));
    for (const MermaidEdge& e : g.edges)
        s.edgeLabels.push_back(textSize(e.label));
    for (const MermaidSubgraph& sg : g.subgraphs)
        s.subgraphTitles.push_back(textSize(sg.title));
    return s;
}

Layout::Result layoutOrFail(const MermaidGraph& g, const Layout::Options& options = Layout::Options{})
{
    auto r = Layout::compute(g, measure(g), options);
    if (!r)
        qFatal("layout failed: %s", r.error().c_str());
    return *r;
}

double segmentDistance(Layout::Point p, Layout::Point a, Layout::Point b)
{
    const double dx = b.x - a.x, dy = b.y - a.y;
    const double len2 = dx * dx + dy * dy;
    double t = len2 > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2 : 0;
    t = std::clamp(t, 0.0, 1.0);
    return std::hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

double borderDistance(Layout::Point p, const std::vector<Layout::Point>& polygon)
{
    double best = 1e300;
    for (size_t i = 0; i < polygon.size(); ++i)
        best = std::min(best, segmentDistance(p, polygon[i], polygon[(i + 1) % polygon.size()]));
    return best;
}

bool overlaps(const Layout::Rect& a, const Layout::Rect& b, double tolerance = 0.5)
{
    return a.x + tolerance < b.right() && b.x + tolerance < a.right() && a.y + tolerance < b.bottom() &&
           b.y + tolerance < a.bottom();
}

bool contains(const Layout::Rect& outer, const Layout::Rect& inner, double tolerance = 0.5)
{
    return inner.x >= outer.x - tolerance && inner.y >= outer.y - tolerance && inner.right() <= outer.right() + tolerance &&
           inner.bottom() <= outer.bottom() + tolerance;
}

QString rectText(const Layout::Rect& r)
{
    return QStringLiteral("(%1, %2, %3 x %4)").arg(r.x).arg(r.y).arg(r.width).arg(r.height);
}

// Every property a usable drawing needs.
void checkLayout(const MermaidGraph& g, const Layout::Result& r)
{
    QCOMPARE(r.nodes.size(), g.nodes.size());
    QCOMPARE(r.edges.size(), g.edges.size());
    QCOMPARE(r.subgraphs.size(), g.subgraphs.size());
    const Layout::Sizes sizes = measure(g);
    for (size_t i = 0; i < g.nodes.size(); ++i) {
        const Layout::Rect& a = r.nodes[i].rect;
        QVERIFY(std::abs(a.width - sizes.nodes[i].width) < 1e-6 && std::abs(a.height - sizes.nodes[i].height) < 1e-6);
        QVERIFY2(a.x >= -0.5 && a.y >= -0.5 && a.right() <= r.width + 0.5 && a.bottom() <= r.height + 0.5,
            qPrintable(QString::fromStdString(g.nodes[i].id) + rectText(a)));
        for (size_t j = i + 1; j < g.nodes.size(); ++j)
            if (overlaps(a, r.nodes[j].rect)) // (the message is costly: build it on failure only)
                QFAIL(qPrintable(QStringLiteral("%1 %2 overlaps %3 %4")
                                     .arg(QString::fromStdString(g.nodes[i].id), rectText(a),
                                         QString::fromStdString(g.nodes[j].id), rectText(r.nodes[j].rect))));
    }
    auto outlineOf = [&](const std::string& id) -> std::vector<Layout::Point> {
        for (size_t i = 0; i < g.nodes.size(); ++i)
            if (g.nodes[i].id == id)
                return Layout::outline(g.nodes[i].shape, r.nodes[i].rect);
        for (size_t s = 0; s < g.subgraphs.size(); ++s)
            if (g.subgraphs[s].id == id) {
                const Layout::Rect& b = r.subgraphs[s].rect;
                return {{b.x, b.y}, {b.right(), b.y}, {b.right(), b.bottom()}, {b.x, b.bottom()}};
            }
        qFatal("no endpoint %s", id.c_str());
    };
    for (size_t e = 0; e < g.edges.size(); ++e) {
        const Layout::Edge& edge = r.edges[e];
        const QString name = QString::fromStdString(g.edges[e].from + " -> " + g.edges[e].to);
        QVERIFY2(edge.curve.size() >= 4 && (edge.curve.size() - 1) % 3 == 0, qPrintable(name));
        const double start = borderDistance(edge.curve.front(), outlineOf(g.edges[e].from));
        const double end = borderDistance(edge.curve.back(), outlineOf(g.edges[e].to));
        QVERIFY2(start <= 1.5, qPrintable(name + QStringLiteral(": starts %1 pt off its node's border").arg(start)));
        QVERIFY2(end <= 1.5, qPrintable(name + QStringLiteral(": ends %1 pt off its node's border").arg(end)));
        QCOMPARE(edge.hasLabel, !g.edges[e].label.empty());
        if (edge.hasLabel)
            for (size_t i = 0; i < g.nodes.size(); ++i)
                QVERIFY2(!overlaps(edge.labelRect, r.nodes[i].rect, 1.0), qPrintable(name + QStringLiteral(": label over a node")));
    }
    // Subgraph boxes hold their nodes, their nested subgraphs and their titles.
    for (size_t s = 0; s < g.subgraphs.size(); ++s) {
        const Layout::Rect& box = r.subgraphs[s].rect;
        QVERIFY(box.width > 0 && box.height > 0);
        for (const std::string& id : g.subgraphs[s].nodeIds)
            for (size_t i = 0; i < g.nodes.size(); ++i)
                if (g.nodes[i].id == id)
                    QVERIFY2(contains(box, r.nodes[i].rect), qPrintable(QString::fromStdString(g.subgraphs[s].id + " lacks " + id)));
        for (size_t c = 0; c < g.subgraphs.size(); ++c)
            if (g.subgraphs[c].parent == g.subgraphs[s].id)
                QVERIFY(contains(box, r.subgraphs[c].rect));
        if (!g.subgraphs[s].title.empty())
            QVERIFY(contains(box, r.subgraphs[s].titleRect));
        // A node outside the subgraph stays outside its box.
        for (size_t i = 0; i < g.nodes.size(); ++i) {
            bool member = false;
            for (std::string owner = g.nodes[i].subgraph; !owner.empty();) {
                if (owner == g.subgraphs[s].id) {
                    member = true;
                    break;
                }
                const MermaidSubgraph* o = g.findSubgraph(owner);
                owner = o ? o->parent : std::string();
            }
            if (!member && overlaps(box, r.nodes[i].rect))
                QFAIL(qPrintable(QString::fromStdString(g.nodes[i].id + " inside " + g.subgraphs[s].id)));
        }
    }
}

const char* const kAllShapes = R"(flowchart TD
    classDef hot fill:#f96,stroke:#333
    subgraph inputs [Inputs 输入]
        a[rect] --> b(round)
        b --> c([stadium])
        subgraph deep [Nested]
            d[[subroutine]] -.-> e[(cylinder)]
        end
    end
    c ==> f((circle))
    f --- g>asymmetric]
    g -->|a label| h{diamond decision}
    h --o i{{hexagon}}
    i --x j[/parallelogram/]
    j <--> k[\parallelogram alt\]
    k -.->|虚线| l[/trapezoid\]
    l ~~~ m[\trapezoid alt/]
    m --> n(((double circle)))
    n --> a
    f --> deep
    n --> n
    b ---> h
    subgraph empty [Empty]
    end
)";

} // namespace

class TestPipelineLayout : public QObject {
    Q_OBJECT
private slots:
    void diagrams_data();
    void diagrams();
    void nodeSizesFitTheirLabels();
    void direction_data();
    void direction();
    void subgraphDirection();
    void hugeChainIsBounded();
    void denseGraphIsBounded();
    void sizesMustMatch();
};

void TestPipelineLayout::diagrams_data()
{
    QTest::addColumn<QByteArray>("text");
    const QByteArray dir = qgetenv("ATTNSCOPE_SOURCE_DIR") + "/resources/diagrams/";
    for (const char* name : {"seed000.mmd", "seed001.mmd", "seed002.mmd", "seed004.mmd"}) {
        QFile f(QString::fromUtf8(dir + name));
        if (!f.open(QIODevice::ReadOnly))
            qFatal("cannot read %s", name);
        QTest::newRow(name) << f.readAll();
    }
    QTest::newRow("all shapes and subgraphs") << QByteArray(kAllShapes);
    QByteArray lr(kAllShapes);
    lr.replace("flowchart TD", "flowchart LR");
    QTest::newRow("all shapes LR") << lr;
    Mechanism m;
    m.heads = 4;
    m.projection = ProjectionKind::Random;
    m.dynamic = DynamicKind::Gate;
    m.scope = ScopeKind::Local;
    m.score = ScoreKind::Additive;
    QTest::newRow("generated, 4 heads") << QByteArray::fromStdString(PipelineDiagram::fromMechanism(m, false));
    m.heads = 12;
    m.dynamic = DynamicKind::Temperature;
    QTest::newRow("generated, 12 heads, cross") << QByteArray::fromStdString(PipelineDiagram::fromMechanism(m, true));
    QTest::newRow("parallel edges and cycles") << QByteArray("graph RL\nA --> B\nA --> B\nB --> A\nA -->|x| A\nC\n");
}

void TestPipelineLayout::diagrams()
{
    QFETCH(QByteArray, text);
    const MermaidGraph g = parseOrFail(text.toStdString());
    const Layout::Result r = layoutOrFail(g);
    QCOMPARE(QString::fromStdString(r.engine), QStringLiteral("dot"));
    QVERIFY2(r.note.empty(), r.note.c_str());
    checkLayout(g, r);
}

void TestPipelineLayout::nodeSizesFitTheirLabels()
{
    const Layout::Size text{80, 16};
    for (int s = 0; s <= static_cast<int>(NodeShape::DoubleCircle); ++s) {
        const auto shape = static_cast<NodeShape>(s);
        const Layout::Size size = Layout::nodeSize(shape, text);
        const Layout::Rect rect{0, 0, size.width, size.height};
        // The label's box, centred, lies inside the outline.
        const auto outline = Layout::outline(shape, rect);
        const double cx = size.width / 2, cy = size.height / 2;
        for (const auto& corner : {Layout::Point{cx - 40, cy - 8}, Layout::Point{cx + 40, cy - 8},
                 Layout::Point{cx + 40, cy + 8}, Layout::Point{cx - 40, cy + 8}}) {
            bool in = false;
            for (size_t i = 0, j = outline.size() - 1; i < outline.size(); j = i++)
                if ((outline[i].y > corner.y) != (outline[j].y > corner.y) &&
                    corner.x < (outline[j].x - outline[i].x) * (corner.y - outline[i].y) / (outline[j].y - outline[i].y) + outline[i].x)
                    in = !in;
            QVERIFY2(in, toString(shape));
        }
    }
}

void TestPipelineLayout::direction_data()
{
    QTest::addColumn<QString>("direction");
    QTest::addColumn<int>("dx"); // sign of the progression along x, y
    QTest::addColumn<int>("dy");
    QTest::newRow("TD") << "TD" << 0 << 1;
    QTest::newRow("TB") << "TB" << 0 << 1;
    QTest::newRow("BT") << "BT" << 0 << -1;
    QTest::newRow("LR") << "LR" << 1 << 0;
    QTest::newRow("RL") << "RL" << -1 << 0;
}

void TestPipelineLayout::direction()
{
    QFETCH(QString, direction);
    QFETCH(int, dx);
    QFETCH(int, dy);
    const MermaidGraph g = parseOrFail("graph " + direction.toStdString() + "\nA[a long first label] --> B --> C[third]\n");
    const Layout::Result r = layoutOrFail(g);
    checkLayout(g, r);
    for (int i = 0; i + 1 < 3; ++i) {
        const auto a = r.nodes[static_cast<size_t>(i)].rect.center(), b = r.nodes[static_cast<size_t>(i) + 1].rect.center();
        const double stepX = b.x - a.x, stepY = b.y - a.y;
        if (dx == 0) {
            QVERIFY(std::abs(stepX) < 1.0);
            QVERIFY2(stepY * dy > 20, qPrintable(QStringLiteral("%1: step %2, %3").arg(direction).arg(stepX).arg(stepY)));
        } else {
            QVERIFY(std::abs(stepY) < 1.0);
            QVERIFY2(stepX * dx > 20, qPrintable(QStringLiteral("%1: step %2, %3").arg(direction).arg(stepX).arg(stepY)));
        }
    }
    if (dx == 0)
        QVERIFY(r.height > r.width);
    else
        QVERIFY(r.width > r.height);
}

void TestPipelineLayout::subgraphDirection()
{
    // Not linked to the outside: laid out left to right inside a top-down graph (as in Mermaid).
    const MermaidGraph g = parseOrFail(
        "graph TD\nX --> Y\nsubgraph row [A row]\ndirection LR\na --> b --> c\nend\nsubgraph col [Linked]\ndirection LR\n"
        "p --> q\nend\nY --> p\n");
    const Layout::Result r = layoutOrFail(g);
    checkLayout(g, r);
    auto centre = [&](const char* id) {
        for (size_t i = 0; i < g.nodes.size(); ++i)
            if (g.nodes[i].id == id)
                return r.nodes[i].rect.center();
        qFatal("no node %s", id);
    };
    QVERIFY(std::abs(centre("a").y - centre("b").y) < 1 && centre("b").x > centre("a").x + 20);
    QVERIFY(std::abs(centre("b").y - centre("c").y) < 1 && centre("c").x > centre("b").x + 20);
    QCOMPARE(r.subgraphs[0].direction, FlowDirection::LR);
    // Linked to the outside (Y --> p): the subgraph's direction is ignored, TD is inherited.
    QVERIFY(centre("q").y > centre("p").y + 20);
    QCOMPARE(r.subgraphs[1].direction, FlowDirection::TD);
    QVERIFY(centre("Y").y > centre("X").y + 20);
}

void TestPipelineLayout::hugeChainIsBounded()
{
    std::string text = "graph TD\n";
    for (int i = 0; i < 3000; ++i)
        text += "n" + std::to_string(i) + " --> n" + std::to_string(i + 1) + "\n";
    const MermaidGraph g = parseOrFail(text);
    QElapsedTimer timer;
    timer.start();
    const Layout::Result r = layoutOrFail(g);
    QVERIFY2(timer.elapsed() < 5000, qPrintable(QStringLiteral("%1 ms").arg(timer.elapsed())));
    QCOMPARE(QString::fromStdString(r.engine), QStringLiteral("layered"));
    QVERIFY(QString::fromStdString(r.note).contains(QLatin1String("3001 nodes")));
    checkLayout(g, r);
    for (size_t i = 0; i + 1 < r.nodes.size(); ++i)
        QVERIFY(r.nodes[i + 1].rect.y > r.nodes[i].rect.bottom());
}

void TestPipelineLayout::denseGraphIsBounded()
{
    // Random long edges make dot's work explode (virtual nodes): its effort is capped, or the
    // layered layout takes over; either way a few seconds at most.
    for (const auto& [nodes, edges] : {std::pair{200, 400}, std::pair{400, 700}, std::pair{1000, 1300}, std::pair{600, 1800}, std::pair{1900, 3900}}) {
        Pcg32 rng(static_cast<uint64_t>(nodes));
        std::string text = "graph LR\n";
        for (int e = 0; e < edges; ++e)
            text += "n" + std::to_string(rng.next() % static_cast<uint32_t>(nodes)) + " --> n" +
                    std::to_string(rng.next() % static_cast<uint32_t>(nodes)) + "\n";
        const MermaidGraph g = parseOrFail(text);
        QElapsedTimer timer;
        timer.start();
        const Layout::Result r = layoutOrFail(g);
        QVERIFY2(timer.elapsed() < 8000, qPrintable(QStringLiteral("%1 nodes, %2 edges: %3 ms (%4)")
                                                         .arg(nodes).arg(edges).arg(timer.elapsed())
                                                         .arg(QString::fromStdString(r.engine))));
        qInfo("%d nodes, %d edges: %s, %lld ms", nodes, edges, r.engine.c_str(), static_cast<long long>(timer.elapsed()));
        for (size_t i = 0; i < r.nodes.size(); ++i)
            for (size_t j = i + 1; j < r.nodes.size(); ++j)
                QVERIFY(!overlaps(r.nodes[i].rect, r.nodes[j].rect));
    }
}

void TestPipelineLayout::sizesMustMatch()
{
    const MermaidGraph g = parseOrFail("graph TD\nA --> B\n");
    Layout::Sizes s = measure(g);
    s.nodes.pop_back();
    const auto r = Layout::compute(g, s);
    QVERIFY(!r.ok());
    QVERIFY(QString::fromStdString(r.error()).contains(QLatin1String("one size per node (2)")));
}

QTEST_APPLESS_MAIN(TestPipelineLayout)
#include "tst_pipeline_layout.moc"
