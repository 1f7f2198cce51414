#pragma once
// A subgraph of the pipeline diagram, in two layers: its pale box behind the links and nodes,
// and its title above the links (on a patch of the box's colour), so links crossing into the
// box never run through the title's text.
#include <QFont>
#include <QGraphicsItem>

class PipelineClusterItem : public QGraphicsItem {
public:
    enum class Part { Box, Title };
    PipelineClusterItem(Part part, const QString& title, const QRectF& rect, const QRectF& titleRect, const QFont& font);

    QRectF boundingRect() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;
    QString title() const { return m_title; }

private:
    Part m_part;
    QString m_title;
    QRectF m_rect;
    QRectF m_titleRect;
    QFont m_font;
};
