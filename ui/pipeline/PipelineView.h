#pragma once
// The pipeline diagram as a zoomable, pannable picture (QGraphicsView): every Mermaid shape,
// link kind, label and subgraph, laid out by PipelineLayout (Graphviz) from text measured with
// the fonts it is drawn in (Chinese included). Clicking a node selects it and emits the stage it
// is bound to; hovering shows what the node is bound to, or that it is not bound. Wheel and
// Ctrl+/- zoom, dragging pans, double-click fits. paint() draws it onto any painter (exports).
#include "MermaidGraph.h"
#include "PipelineLayout.h"
#include "StageBinder.h"

#include <QGraphicsView>
#include <QVector>

class PipelineNodeItem;
class PipelineEdgeItem;
class QGraphicsScene;

class PipelineView : public QGraphicsView {
    Q_OBJECT
public:
    explicit PipelineView(QWidget* parent = nullptr);

    // Lays the diagram out and draws it. The selection is kept when the node still exists.
    // Diagrams above kSynchronousLayoutItems nodes + edges are laid out on a worker thread
    // (QtConcurrent) so the window stays responsive; the old drawing is cleared, layoutNote()
    // says "Laying out ..." and layoutFinished() is emitted once the new one is drawn. A newer
    // setDiagram() supersedes a layout still running (its result is dropped).
    void setDiagram(const attn::MermaidGraph& graph, const attn::StageBinding& binding);
    static constexpr int kSynchronousLayoutItems = 400;
    // Exports need the picture at once: every layout on the calling thread.
    void setSynchronousLayout(bool synchronous) { m_synchronous = synchronous; }
    bool isLayingOut() const { return m_layingOut; }
    // Dashed borders on nodes bound to no stage (on by default; off for exports).
    void setMarkUnbound(bool mark);
    // Rebinds the nodes (a new computation) without laying the diagram out again.
    void setBinding(const attn::StageBinding& binding);
    const attn::MermaidGraph& graph() const { return m_graph; }
    const attn::StageBinding& binding() const { return m_binding; }
    // Why a simpler layout was used (huge diagrams), empty normally; and the engine's name.
    QString layoutNote() const { return m_note; }
    QString layoutEngine() const { return m_engine; }

    // Selects a node by id ("" clears) and emits nodeSelected and stageSelected.
    void selectNode(const QString& id);
    QString selectedNode() const { return m_selected; }
    // Where a node is drawn, in scene and in viewport coordinates (for tests and tooltips).
    QRectF nodeRect(const QString& id) const;
    QPoint nodeViewportPosition(const QString& id) const;
    QString toolTipOf(const QString& id) const;
    QList<PipelineNodeItem*> nodeItems() const { return m_nodes; }
    QList<PipelineEdgeItem*> edgeItems() const { return m_edges; }

    // Draws the whole diagram into `target`, keeping its aspect ratio, on white.
    void paint(QPainter& painter, const QRectF& target);

    void zoomIn();
    void zoomOut();
    void resetZoom();
    double zoom() const;

signals:
    void nodeSelected(const QString& id);
    void stageSelected(const QString& stage); // "" for an unbound node or no selection
    void layoutFinished();

protected:
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void applyLayout(const attn::Expected<attn::PipelineLayout::Result>& layout);
    PipelineNodeItem* nodeAt(const QPoint& viewportPos) const;
    PipelineNodeItem* findNode(const QString& id) const;
    void zoomBy(double factor);

    QGraphicsScene* m_scene = nullptr;
    attn::MermaidGraph m_graph;
    attn::StageBinding m_binding;
    QList<PipelineNodeItem*> m_nodes;
    QList<PipelineEdgeItem*> m_edges;
    QString m_selected;
    QString m_note;
    QString m_engine;
    bool m_markUnbound = true;
    bool m_fitted = true; // follows the widget's size until the user zooms
    bool m_synchronous = false;
    bool m_layingOut = false;
    quint64 m_layoutGeneration = 0; // the setDiagram() call a worker's result belongs to
};
