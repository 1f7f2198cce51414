#include "PipelineEdgeItem.h"

#include "PipelineTheme.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPathStroker>
#include <QtMath>

namespace {

constexpr int kStepsPerCubic = 24;
constexpr double crossSize = 5; // half the diagonal's extent along the line

QPointF at(const attn::PipelineLayout::Point& p) { return {p.x, p.y}; }

QPointF cubic(const QPointF& a, const QPointF& b, const QPointF& c, const QPointF& d, double t)
{
    const double u = 1 - t;
    return u * u * u * a + 3 * u * u * t * b + 3 * u * t * t * c + t * t * t * d;
}

QPointF unit(QPointF v)
{
    const double len = std::hypot(v.x(), v.y());
    return len > 1e-9 ? v / len : QPointF(1, 0);
}

// Removes `length` from the start of the polyline (which runs from its first point).
QPolygonF trimStart(const QPolygonF& line, double length)
{
    if (length <= 0 || line.size() < 2)
        return line;
    double left = length;
    for (int i = 1; i < line.size(); ++i) {
        const QPointF seg = line[i] - line[i - 1];
        const double segLength = std::hypot(seg.x(), seg.y());
        if (segLength >= left) {
            QPolygonF out;
            out << line[i - 1] + seg * (left / segLength);
            for (int k = i; k < line.size(); ++k)
                out << line[k];
            return out;
        }
        left -= segLength;
    }
    return QPolygonF{line.back(), line.back()};
}

QPolygonF reversed(const QPolygonF& line)
{
    QPolygonF out;
    for (auto it = line.crbegin(); it != line.crend(); ++it)
        out << *it;
    return out;
}

} // namespace

PipelineEdgeItem::PipelineEdgeItem(const attn::MermaidEdge& edge, const attn::PipelineLayout::Edge& layout,
    const MermaidStyle& style, const QFont& labelFont)
    : m_line(edge.line)
    , m_startHead(edge.startHead)
    , m_endHead(edge.endHead)
    , m_label(QString::fromStdString(edge.label))
    , m_hasLabel(layout.hasLabel)
    , m_labelRect(layout.labelRect.x, layout.labelRect.y, layout.labelRect.width, layout.labelRect.height)
    , m_style(style)
    , m_font(labelFont)
{
    const auto& c = layout.curve;
    if (!c.empty())
        m_points << at(c.front());
    for (size_t s = 0; s + 3 < c.size(); s += 3)
        for (int i = 1; i <= kStepsPerCubic; ++i)
            m_points << cubic(at(c[s]), at(c[s + 1]), at(c[s + 2]), at(c[s + 3]), static_cast<double>(i) / kStepsPerCubic);
    m_bounds = m_points.boundingRect();
    if (m_hasLabel)
        m_bounds = m_bounds.united(m_labelRect);
    m_bounds.adjust(-12, -12, 12, 12);
}

QRectF PipelineEdgeItem::boundingRect() const { return m_bounds; }

QPainterPath PipelineEdgeItem::shape() const
{
    QPainterPath path;
    path.addPolygon(m_points);
    QPainterPathStroker stroker;
    stroker.setWidth(6);
    QPainterPath s = stroker.createStroke(path);
    if (m_hasLabel)
        s.addRect(m_labelRect);
    return s;
}

double PipelineEdgeItem::penWidth() const
{
    if (m_style.strokeWidth)
        return *m_style.strokeWidth;
    return m_line == attn::EdgeLine::Thick ? PipelineTheme::thickEdgeWidth : PipelineTheme::edgeWidth;
}

QColor PipelineEdgeItem::color() const { return m_style.stroke.value_or(PipelineTheme::edge()); }

double PipelineEdgeItem::headLength(attn::EdgeHead head, double width)
{
    switch (head) {
    case attn::EdgeHead::Arrow: return 9 + 1.5 * width;
    case attn::EdgeHead::Circle: return 2 * (3.5 + width / 2);
    case attn::EdgeHead::Cross: return crossSize + 2; // the line ends at the cross's centre
    case attn::EdgeHead::None: return 0;
    }
    return 0;
}

QPolygonF PipelineEdgeItem::trimmedLine() const
{
    const double w = penWidth();
    QPolygonF line = trimStart(m_points, headLength(m_startHead, w));
    return reversed(trimStart(reversed(line), headLength(m_endHead, w)));
}

void PipelineEdgeItem::drawHead(QPainter* painter, attn::EdgeHead head, QPointF tip, QPointF from) const
{
    const double w = penWidth();
    const QPointF dir = unit(tip - from);
    const QPointF normal(-dir.y(), dir.x());
    painter->setPen(QPen(color(), std::min(w, 2.0)));
    painter->setBrush(color());
    switch (head) {
    case attn::EdgeHead::Arrow: {
        const double length = headLength(head, w), half = 4 + w;
        const QPointF base = tip - dir * length;
        painter->setPen(Qt::NoPen);
        painter->drawPolygon(QPolygonF{tip, base + normal * half, base - normal * half});
        break;
    }
    case attn::EdgeHead::Circle: {
        const double r = 3.5 + w / 2;
        painter->drawEllipse(tip - dir * r, r, r);
        break;
    }
    case attn::EdgeHead::Cross: {
        // Wholly outside the node it points at.
        const double s = crossSize;
        const QPointF c = tip - dir * (s + 2);
        painter->setPen(QPen(color(), std::max(2.0, w), Qt::SolidLine, Qt::RoundCap));
        painter->drawLine(c + (dir + normal) * s, c - (dir + normal) * s);
        painter->drawLine(c + (dir - normal) * s, c - (dir - normal) * s);
        break;
    }
    case attn::EdgeHead::None: break;
    }
}

void PipelineEdgeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*)
{
    if (m_line == attn::EdgeLine::Invisible || m_points.size() < 2)
        return;
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    QPen pen(color(), penWidth(), Qt::SolidLine, Qt::FlatCap, Qt::RoundJoin);
    if (m_style.dashes && !m_style.dashes->isEmpty()) {
        QVector<qreal> pattern;
        for (qreal d : *m_style.dashes)
            pattern << std::max(0.1, d / std::max(0.1, pen.widthF()));
        pen.setDashPattern(pattern);
    } else if (m_line == attn::EdgeLine::Dotted) {
        pen.setDashPattern({2, 2.5});
    }
    painter->setPen(pen);
    painter->setBrush(Qt::NoBrush);
    const QPolygonF line = trimmedLine();
    painter->drawPolyline(line);
    if (m_endHead != attn::EdgeHead::None)
        drawHead(painter, m_endHead, m_points.back(), line.back());
    if (m_startHead != attn::EdgeHead::None)
        drawHead(painter, m_startHead, m_points.front(), line.front());

    if (m_hasLabel) {
        painter->setPen(Qt::NoPen);
        painter->setBrush(PipelineTheme::edgeLabelBackground());
        painter->drawRect(m_labelRect.adjusted(-2, -1, 2, 1));
        painter->setFont(m_font);
        painter->setPen(m_style.color.value_or(PipelineTheme::text()));
        const QFontMetricsF fm(m_font);
        const QStringList lines = m_label.split(QLatin1Char('\n'));
        double y = m_labelRect.center().y() - fm.lineSpacing() * lines.size() / 2;
        for (const QString& text : lines) {
            painter->drawText(QRectF(m_labelRect.left() - 4, y, m_labelRect.width() + 8, fm.lineSpacing()), Qt::AlignCenter, text);
            y += fm.lineSpacing();
        }
    }
    painter->restore();
}
