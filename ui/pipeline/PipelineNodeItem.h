#pragma once
// One node of the pipeline diagram: its Mermaid shape, its label (several lines, CJK included),
// its style, and whether it is bound to a stage of the computation (unbound nodes have a dashed
// border and say so in their tooltip). Selected, it wears an orange outline.
#include "MermaidGraph.h"
#include "MermaidStyle.h"

#include <QFont>
#include <QGraphicsItem>
#include <QPainterPath>

class PipelineNodeItem : public QGraphicsItem {
public:
    PipelineNodeItem(int index, const attn::MermaidNode& node, const QRectF& rect, const MermaidStyle& style,
        const QFont& font);

    int index() const { return m_index; }
    QString id() const { return m_id; }
    QString stage() const { return m_stage; }
    void setStage(const QString& stage); // "" when unbound; updates the tooltip
    void setSelectedNode(bool selected);
    // Unbound nodes get a dashed border (on screen; exports draw the diagram as written).
    void setMarkUnbound(bool mark);
    bool isSelectedNode() const { return m_selected; }

    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

    // The outline a shape is drawn with, in the rectangle it was laid out in.
    static QPainterPath outlinePath(attn::NodeShape shape, const QRectF& rect);

private:
    int m_index;
    QString m_id;
    QString m_label;
    attn::NodeShape m_shape;
    QRectF m_rect;
    MermaidStyle m_style;
    QFont m_font;
    QString m_stage;
    bool m_selected = false;
    bool m_markUnbound = true;
};
