#include "PipelineNodeItem.h"

#include "PipelineLayout.h"
#include "PipelineTheme.h"

#include <QCursor>
#include <QFontMetricsF>
#include <QPainter>
#include <QPolygonF>

namespace {
constexpr double kSubroutineInset = 8;
constexpr double kDoubleCircleGap = 5;
constexpr double kSelectionWidth = 3.5;
} // namespace

PipelineNodeItem::PipelineNodeItem(
    int index, const attn::MermaidNode& node, const QRectF& rect, const MermaidStyle& style, const QFont& font)
    : m_index(index)
    , m_id(QString::fromStdString(node.id))
    , m_label(QString::fromStdString(node.label))
    , m_shape(node.shape)
    , m_rect(rect)
    , m_style(style)
    , m_font(font)
{
    setAcceptHoverEvents(true);
    setCursor(Qt::PointingHandCursor);
    setStage({});
}

void PipelineNodeItem::setStage(const QString& stage)
{
    m_stage = stage;
    const QString label = m_label.contains(QLatin1Char('\n')) ? QStringLiteral("“%1”").arg(QString(m_label).replace(QLatin1Char('\n'), QLatin1Char(' ')))
                                                               : QStringLiteral("“%1”").arg(m_label);
    if (stage.isEmpty())
        setToolTip(QObject::tr("%1 (%2) is not bound to a stage of this computation: no tensor to show.").arg(label, m_id));
    else
        setToolTip(QObject::tr("%1 (%2): stage “%3”. Click to show its tensor in Details.").arg(label, m_id, stage));
    update();
}

void PipelineNodeItem::setMarkUnbound(bool mark)
{
    m_markUnbound = mark;
    update();
}

void PipelineNodeItem::setSelectedNode(bool selected)
{
    m_selected = selected;
    update();
}

QRectF PipelineNodeItem::boundingRect() const
{
    const double margin = kSelectionWidth + m_style.strokeWidth.value_or(PipelineTheme::nodeStrokeWidth);
    return m_rect.adjusted(-margin, -margin, margin, margin);
}

QPainterPath PipelineNodeItem::shape() const { return outlinePath(m_shape, m_rect); }

QPainterPath PipelineNodeItem::outlinePath(attn::NodeShape shape, const QRectF& r)
{
    QPainterPath path;
    const double h = r.height(), w = r.width();
    switch (shape) {
    case attn::NodeShape::Rect:
    case attn::NodeShape::Subroutine: path.addRect(r); break;
    case attn::NodeShape::Round: path.addRoundedRect(r, 6, 6); break;
    case attn::NodeShape::Stadium: path.addRoundedRect(r, std::min(w, h) / 2, std::min(w, h) / 2); break;
    case attn::NodeShape::Circle:
    case attn::NodeShape::DoubleCircle: path.addEllipse(r); break;
    case attn::NodeShape::Cylinder: {
        const double cap = attn::PipelineLayout::cylinderCap(w, h);
        path.moveTo(r.left(), r.top() + cap);
        path.arcTo(QRectF(r.left(), r.top(), w, 2 * cap), 180, -180);
        path.lineTo(r.right(), r.bottom() - cap);
        path.arcTo(QRectF(r.left(), r.bottom() - 2 * cap, w, 2 * cap), 0, -180);
        path.closeSubpath();
        break;
    }
    default: {
        QPolygonF polygon;
        for (const auto& p : attn::PipelineLayout::outline(shape, {r.x(), r.y(), w, h}))
            polygon << QPointF(p.x, p.y);
        path.addPolygon(polygon);
        path.closeSubpath();
        break;
    }
    }
    return path;
}

void PipelineNodeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*)
{
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const QPainterPath path = outlinePath(m_shape, m_rect);
    QPen pen(m_style.stroke.value_or(PipelineTheme::nodeStroke()), m_style.strokeWidth.value_or(PipelineTheme::nodeStrokeWidth));
    if (m_style.dashes && !m_style.dashes->isEmpty()) {
        QVector<qreal> pattern;
        for (qreal d : *m_style.dashes)
            pattern << std::max(0.1, d / std::max(0.1, pen.widthF()));
        pen.setDashPattern(pattern);
    } else if (!m_style.dashes && m_stage.isEmpty() && m_markUnbound) {
        pen.setDashPattern({4, 3}); // not bound to a stage
    }
    painter->setPen(pen);
    painter->setBrush(m_style.fill.value_or(PipelineTheme::nodeFill()));
    painter->drawPath(path);

    // The shapes' inner strokes.
    painter->setBrush(Qt::NoBrush);
    const QRectF& r = m_rect;
    if (m_shape == attn::NodeShape::Subroutine) {
        painter->drawLine(QPointF(r.left() + kSubroutineInset, r.top()), QPointF(r.left() + kSubroutineInset, r.bottom()));
        painter->drawLine(QPointF(r.right() - kSubroutineInset, r.top()), QPointF(r.right() - kSubroutineInset, r.bottom()));
    } else if (m_shape == attn::NodeShape::Cylinder) {
        const double cap = attn::PipelineLayout::cylinderCap(r.width(), r.height());
        QPainterPath front;
        front.moveTo(r.left(), r.top() + cap);
        front.arcTo(QRectF(r.left(), r.top(), r.width(), 2 * cap), 180, 180);
        painter->drawPath(front);
    } else if (m_shape == attn::NodeShape::DoubleCircle) {
        painter->drawEllipse(r.adjusted(kDoubleCircleGap, kDoubleCircleGap, -kDoubleCircleGap, -kDoubleCircleGap));
    }

    if (m_selected) {
        painter->setPen(QPen(PipelineTheme::selection(), kSelectionWidth));
        painter->drawPath(path);
    }

    // The label, line by line, centred (the cylinder's body lies below its top cap).
    painter->setFont(m_font);
    painter->setPen(m_style.color.value_or(PipelineTheme::text()));
    const QFontMetricsF fm(m_font);
    const QStringList lines = m_label.split(QLatin1Char('\n'));
    const double lineHeight = fm.lineSpacing();
    double centreY = r.center().y();
    if (m_shape == attn::NodeShape::Cylinder)
        centreY += attn::PipelineLayout::cylinderCap(r.width(), r.height()) / 2;
    double y = centreY - lineHeight * lines.size() / 2;
    for (const QString& line : lines) {
        painter->drawText(QRectF(r.left(), y, r.width(), lineHeight), Qt::AlignCenter, line);
        y += lineHeight;
    }
    painter->restore();
}
