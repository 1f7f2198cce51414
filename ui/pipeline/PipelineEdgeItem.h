#pragma once
// One link of the pipeline diagram: its curve (from PipelineLayout, ending on the nodes'
// outlines), its line (solid, dotted, thick, invisible), its heads at either end (arrow, circle,
// cross) and its label on a pale box.
#include "MermaidGraph.h"
#include "MermaidStyle.h"
#include "PipelineLayout.h"

#include <QFont>
#include <QGraphicsItem>
#include <QPainterPath>
#include <QPolygonF>

class PipelineEdgeItem : public QGraphicsItem {
public:
    PipelineEdgeItem(const attn::MermaidEdge& edge, const attn::PipelineLayout::Edge& layout, const MermaidStyle& style,
        const QFont& labelFont);

    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

    QString label() const { return m_label; }
    QPointF start() const { return m_points.isEmpty() ? QPointF() : m_points.front(); }
    QPointF end() const { return m_points.isEmpty() ? QPointF() : m_points.back(); }

private:
    double penWidth() const;
    QColor color() const;
    static double headLength(attn::EdgeHead head, double width);
    // The line without the room its heads take at either end.
    QPolygonF trimmedLine() const;
    void drawHead(QPainter* painter, attn::EdgeHead head, QPointF tip, QPointF from) const;

    attn::EdgeLine m_line;
    attn::EdgeHead m_startHead;
    attn::EdgeHead m_endHead;
    QString m_label;
    QPolygonF m_points; // the curve, flattened
    bool m_hasLabel = false;
    QRectF m_labelRect;
    MermaidStyle m_style;
    QFont m_font;
    QRectF m_bounds;
};
