#include "PipelineClusterItem.h"

#include "PipelineTheme.h"

#include <QPainter>

PipelineClusterItem::PipelineClusterItem(
    Part part, const QString& title, const QRectF& rect, const QRectF& titleRect, const QFont& font)
    : m_part(part)
    , m_title(title)
    , m_rect(rect)
    , m_titleRect(titleRect)
    , m_font(font)
{
}

QRectF PipelineClusterItem::boundingRect() const
{
    return (m_part == Part::Box ? m_rect : m_titleRect).adjusted(-6, -3, 6, 3);
}

void PipelineClusterItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*)
{
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    if (m_part == Part::Box) {
        painter->setPen(QPen(PipelineTheme::clusterStroke(), 1));
        painter->setBrush(PipelineTheme::clusterFill());
        painter->drawRoundedRect(m_rect, 4, 4);
    } else if (!m_title.isEmpty()) {
        QColor patch = PipelineTheme::clusterFill();
        patch.setAlpha(230);
        painter->setPen(Qt::NoPen);
        painter->setBrush(patch);
        painter->drawRoundedRect(m_titleRect.adjusted(-4, -1, 4, 1), 3, 3);
        painter->setFont(m_font);
        painter->setPen(PipelineTheme::text());
        painter->drawText(m_titleRect.adjusted(-4, 0, 4, 0), Qt::AlignCenter, m_title);
    }
    painter->restore();
}
