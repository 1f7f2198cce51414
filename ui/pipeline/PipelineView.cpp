#include "PipelineView.h"

#include "BackgroundPool.h"
#include "MermaidStyle.h"
#include "PipelineClusterItem.h"
#include "PipelineEdgeItem.h"
#include "PipelineLayout.h"
#include "PipelineNodeItem.h"
#include "PipelineTheme.h"

#include <QFontMetricsF>
#include <QFutureWatcher>
#include <QGraphicsScene>
#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>
#include <QtConcurrent/QtConcurrentRun>

#include <memory>

#include <cmath>

namespace {

constexpr double kMaxFitScale = 1.6; // a four-node diagram in a big window stays readable, not huge
constexpr double kMinZoom = 0.02;
constexpr double kMaxZoom = 20;

attn::PipelineLayout::Size measure(const QString& text, const QFont& font)
{
    if (text.isEmpty())
        return {0, 0};
    const QFontMetricsF fm(font);
    const QStringList lines = text.split(QLatin1Char('\n'));
    double width = 0;
    for (const QString& line : lines)
        width = std::max(width, fm.horizontalAdvance(line));
    return {std::ceil(width), std::ceil(fm.lineSpacing() * lines.size())};
}

QRectF toQt(const attn::PipelineLayout::Rect& r) { return {r.x, r.y, r.width, r.height}; }

} // namespace

PipelineView::PipelineView(QWidget* parent)
    : QGraphicsView(parent)
    , m_scene(new QGraphicsScene(this))
{
    setScene(m_scene);
    m_scene->setBackgroundBrush(Qt::white);
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing | QPainter::SmoothPixmapTransform);
    setDragMode(QGraphicsView::ScrollHandDrag);
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    setResizeAnchor(QGraphicsView::AnchorViewCenter);
    setViewportUpdateMode(QGraphicsView::BoundingRectViewportUpdate);
    setMinimumSize(200, 150);
}

void PipelineView::setDiagram(const attn::MermaidGraph& graph, const attn::StageBinding& binding)
{
    m_graph = graph;
    m_binding = binding;
    m_scene->clear();
    m_nodes.clear();
    m_edges.clear();

    const QFont nodeFont = PipelineTheme::nodeFont();
    const QFont labelFont = PipelineTheme::edgeLabelFont();
    const QFont titleFont = PipelineTheme::titleFont();
    attn::PipelineLayout::Sizes sizes;
    for (const attn::MermaidNode& n : graph.nodes)
        sizes.nodes.push_back(attn::PipelineLayout::nodeSize(n.shape, measure(QString::fromStdString(n.label), nodeFont)));
    for (const attn::MermaidEdge& e : graph.edges) {
        auto s = measure(QString::fromStdString(e.label), labelFont);
        if (s.width > 0)
            s.width += 4; // room for the label's box
        sizes.edgeLabels.push_back(s);
    }
    for (const attn::MermaidSubgraph& s : graph.subgraphs)
        sizes.subgraphTitles.push_back(measure(QString::fromStdString(s.title), titleFont));
    const quint64 generation = ++m_layoutGeneration;
    if (m_synchronous || static_cast<int>(graph.nodes.size() + graph.edges.size()) <= kSynchronousLayoutItems) {
        m_layingOut = false;
        applyLayout(attn::PipelineLayout::compute(graph, sizes));
        return;
    }
    // Large: Graphviz (or the layered fallback) may take seconds; keep the window responsive.
    m_layingOut = true;
    m_note = tr("Laying out %1 nodes and %2 links\u2026").arg(graph.nodes.size()).arg(graph.edges.size());
    m_engine.clear();
    using Result = attn::Expected<attn::PipelineLayout::Result>;
    auto* watcher = new QFutureWatcher<std::shared_ptr<Result>>(this);
    connect(watcher, &QFutureWatcher<std::shared_ptr<Result>>::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (generation != m_layoutGeneration)
            return; // superseded by a newer diagram
        m_layingOut = false;
        applyLayout(*watcher->result());
        emit layoutFinished();
    });
    watcher->setFuture(BackgroundPool::run([graph, sizes] {
        return std::make_shared<Result>(attn::PipelineLayout::compute(graph, sizes));
    }));
}

void PipelineView::applyLayout(const attn::Expected<attn::PipelineLayout::Result>& layout)
{
    const attn::MermaidGraph& graph = m_graph;
    const QFont nodeFont = PipelineTheme::nodeFont();
    const QFont labelFont = PipelineTheme::edgeLabelFont();
    const QFont titleFont = PipelineTheme::titleFont();
    if (!layout) {
        m_note = QString::fromStdString(layout.error());
        m_engine.clear();
        m_selected.clear();
        return;
    }
    m_note = QString::fromStdString(layout->note);
    m_engine = QString::fromStdString(layout->engine);

    for (size_t s = 0; s < graph.subgraphs.size(); ++s) {
        const auto& sg = layout->subgraphs[s];
        const QString title = QString::fromStdString(graph.subgraphs[s].title);
        auto* box = new PipelineClusterItem(PipelineClusterItem::Part::Box, title, toQt(sg.rect), toQt(sg.titleRect), titleFont);
        box->setZValue(0);
        m_scene->addItem(box);
        auto* caption = new PipelineClusterItem(PipelineClusterItem::Part::Title, title, toQt(sg.rect), toQt(sg.titleRect), titleFont);
        caption->setZValue(1.5); // above the links, below the nodes
        m_scene->addItem(caption);
    }
    for (size_t e = 0; e < graph.edges.size(); ++e) {
        if (layout->edges[e].curve.size() < 4)
            continue;
        auto* item = new PipelineEdgeItem(graph.edges[e], layout->edges[e], MermaidStyle::forEdge(graph, graph.edges[e]), labelFont);
        item->setZValue(1);
        m_scene->addItem(item);
        m_edges << item;
    }
    for (size_t n = 0; n < graph.nodes.size(); ++n) {
        auto* item = new PipelineNodeItem(static_cast<int>(n), graph.nodes[n], toQt(layout->nodes[n].rect),
            MermaidStyle::forNode(graph, graph.nodes[n]), nodeFont);
        item->setZValue(2);
        item->setMarkUnbound(m_markUnbound);
        m_scene->addItem(item);
        m_nodes << item;
    }
    m_scene->setSceneRect(0, 0, layout->width, layout->height);
    setBinding(m_binding);
    if (PipelineNodeItem* selected = findNode(m_selected))
        selected->setSelectedNode(true);
    else
        m_selected.clear();
    if (m_fitted)
        resetZoom();
}

void PipelineView::setMarkUnbound(bool mark)
{
    m_markUnbound = mark;
    for (PipelineNodeItem* item : m_nodes)
        item->setMarkUnbound(mark);
}

void PipelineView::setBinding(const attn::StageBinding& binding)
{
    m_binding = binding;
    for (PipelineNodeItem* item : m_nodes) {
        const auto stage = binding.stageOf(item->id().toStdString());
        item->setStage(stage ? QString::fromStdString(*stage) : QString());
    }
}

PipelineNodeItem* PipelineView::findNode(const QString& id) const
{
    if (id.isEmpty())
        return nullptr;
    for (PipelineNodeItem* item : m_nodes)
        if (item->id() == id)
            return item;
    return nullptr;
}

void PipelineView::selectNode(const QString& id)
{
    PipelineNodeItem* chosen = findNode(id);
    for (PipelineNodeItem* item : m_nodes)
        item->setSelectedNode(item == chosen);
    m_selected = chosen ? chosen->id() : QString();
    emit nodeSelected(m_selected);
    emit stageSelected(chosen ? chosen->stage() : QString());
}

QRectF PipelineView::nodeRect(const QString& id) const
{
    const PipelineNodeItem* item = findNode(id);
    return item ? item->shape().boundingRect() : QRectF();
}

QPoint PipelineView::nodeViewportPosition(const QString& id) const { return mapFromScene(nodeRect(id).center()); }

QString PipelineView::toolTipOf(const QString& id) const
{
    const PipelineNodeItem* item = findNode(id);
    return item ? item->toolTip() : QString();
}

PipelineNodeItem* PipelineView::nodeAt(const QPoint& viewportPos) const
{
    for (QGraphicsItem* item : items(viewportPos))
        for (PipelineNodeItem* node : m_nodes)
            if (node == item)
                return node;
    return nullptr;
}

void PipelineView::paint(QPainter& painter, const QRectF& target)
{
    painter.save();
    painter.fillRect(target, Qt::white);
    painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    const QRectF source = m_scene->sceneRect();
    if (!source.isEmpty() && !m_nodes.isEmpty()) {
        // Centred: QGraphicsScene::render keeps the ratio but aligns to the top left.
        const double margin = std::min(target.width(), target.height()) * 0.03;
        const QRectF area = target.adjusted(margin, margin, -margin, -margin);
        const double s = std::min(area.width() / source.width(), area.height() / source.height());
        QRectF placed(0, 0, source.width() * s, source.height() * s);
        placed.moveCenter(area.center());
        m_scene->render(&painter, placed, source, Qt::IgnoreAspectRatio);
    }
    painter.restore();
}

double PipelineView::zoom() const { return transform().m11(); }

void PipelineView::zoomBy(double factor)
{
    const double target = std::clamp(zoom() * factor, kMinZoom, kMaxZoom);
    if (zoom() > 0)
        scale(target / zoom(), target / zoom());
    m_fitted = false;
}

void PipelineView::zoomIn() { zoomBy(1.25); }
void PipelineView::zoomOut() { zoomBy(1 / 1.25); }

void PipelineView::resetZoom()
{
    resetTransform();
    const QRectF source = m_scene->sceneRect();
    if (!source.isEmpty() && viewport()->width() > 0 && viewport()->height() > 0) {
        const double sx = (viewport()->width() - 8) / source.width(), sy = (viewport()->height() - 8) / source.height();
        const double s = std::clamp(std::min(sx, sy), kMinZoom, kMaxFitScale);
        scale(s, s);
        centerOn(source.center());
    }
    m_fitted = true;
}

void PipelineView::wheelEvent(QWheelEvent* event)
{
    const double steps = event->angleDelta().y() / 120.0;
    if (steps != 0)
        zoomBy(std::pow(1.2, steps));
    event->accept();
}

void PipelineView::mousePressEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton) {
        PipelineNodeItem* node = nodeAt(event->position().toPoint());
        selectNode(node ? node->id() : QString());
    }
    QGraphicsView::mousePressEvent(event); // dragging the background pans
}

void PipelineView::mouseDoubleClickEvent(QMouseEvent* event)
{
    if (!nodeAt(event->position().toPoint()))
        resetZoom();
    QGraphicsView::mouseDoubleClickEvent(event);
}

void PipelineView::resizeEvent(QResizeEvent* event)
{
    QGraphicsView::resizeEvent(event);
    if (m_fitted)
        resetZoom();
}
