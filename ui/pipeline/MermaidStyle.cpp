#include "MermaidStyle.h"

#include <QRegularExpression>
#include <QStringList>

namespace {

// Splits "a:b,c:rgb(1,2,3)" at the commas outside parentheses.
QStringList declarations(const QString& css)
{
    QStringList out;
    QString current;
    int depth = 0;
    for (const QChar c : css) {
        if (c == QLatin1Char('('))
            ++depth;
        else if (c == QLatin1Char(')'))
            depth = std::max(0, depth - 1);
        if ((c == QLatin1Char(',') || c == QLatin1Char(';')) && depth == 0) {
            out << current;
            current.clear();
        } else {
            current += c;
        }
    }
    out << current;
    return out;
}

std::optional<double> length(QString text)
{
    text = text.trimmed();
    if (text.endsWith(QLatin1String("px")))
        text.chop(2);
    bool ok = false;
    const double v = text.toDouble(&ok);
    if (!ok || v < 0 || v > 100)
        return std::nullopt;
    return v;
}

} // namespace

std::optional<QColor> MermaidStyle::parseColor(const QString& input)
{
    const QString text = input.trimmed().toLower();
    if (text == QLatin1String("none") || text == QLatin1String("transparent"))
        return QColor(Qt::transparent);
    static const QRegularExpression rgb(
        QStringLiteral(R"(^rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(?:,\s*([\d.]+)\s*)?\)$)"));
    if (const auto m = rgb.match(text); m.hasMatch()) {
        QColor c(std::clamp(m.captured(1).toInt(), 0, 255), std::clamp(m.captured(2).toInt(), 0, 255),
            std::clamp(m.captured(3).toInt(), 0, 255));
        if (!m.captured(4).isEmpty())
            c.setAlphaF(static_cast<float>(std::clamp(m.captured(4).toDouble(), 0.0, 1.0)));
        return c;
    }
    // CSS writes alpha last (#rrggbbaa); Qt reads #aarrggbb.
    if (text.size() == 9 && text.startsWith(QLatin1Char('#'))) {
        QColor c(QLatin1Char('#') + text.mid(1, 6));
        bool ok = false;
        const int alpha = text.mid(7, 2).toInt(&ok, 16);
        if (c.isValid() && ok) {
            c.setAlpha(alpha);
            return c;
        }
        return std::nullopt;
    }
    const QColor c = QColor::fromString(text);
    if (!c.isValid())
        return std::nullopt;
    return c;
}

MermaidStyle MermaidStyle::parse(const std::string& css)
{
    MermaidStyle s;
    for (const QString& declaration : declarations(QString::fromStdString(css))) {
        const int colon = declaration.indexOf(QLatin1Char(':'));
        if (colon < 0)
            continue;
        const QString key = declaration.left(colon).trimmed().toLower();
        QString value = declaration.mid(colon + 1).trimmed();
        if (value.endsWith(QLatin1String("!important")))
            value = value.chopped(10).trimmed();
        if (key == QLatin1String("fill") || key == QLatin1String("background") || key == QLatin1String("background-color")) {
            if (const auto c = parseColor(value))
                s.fill = c;
        } else if (key == QLatin1String("stroke")) {
            if (const auto c = parseColor(value))
                s.stroke = c;
        } else if (key == QLatin1String("color")) {
            if (const auto c = parseColor(value))
                s.color = c;
        } else if (key == QLatin1String("stroke-width")) {
            if (const auto w = length(value))
                s.strokeWidth = w;
        } else if (key == QLatin1String("stroke-dasharray")) {
            QVector<qreal> dashes;
            for (const QString& part : value.split(QRegularExpression(QStringLiteral("[\\s,]+")), Qt::SkipEmptyParts))
                if (const auto d = length(part))
                    dashes << *d;
            if (dashes.size() % 2 == 1)
                dashes += dashes; // CSS repeats an odd list
            if (value == QLatin1String("none") || value == QLatin1String("0"))
                dashes.clear();
            s.dashes = dashes;
        }
    }
    return s;
}

void MermaidStyle::overrideWith(const MermaidStyle& later)
{
    if (later.fill)
        fill = later.fill;
    if (later.stroke)
        stroke = later.stroke;
    if (later.color)
        color = later.color;
    if (later.strokeWidth)
        strokeWidth = later.strokeWidth;
    if (later.dashes)
        dashes = later.dashes;
}

MermaidStyle MermaidStyle::forNode(const attn::MermaidGraph& graph, const attn::MermaidNode& node)
{
    MermaidStyle s;
    if (const auto it = graph.classDefs.find("default"); it != graph.classDefs.end())
        s.overrideWith(parse(it->second));
    for (const std::string& c : node.classes)
        if (const auto it = graph.classDefs.find(c); it != graph.classDefs.end())
            s.overrideWith(parse(it->second));
    s.overrideWith(parse(node.style));
    return s;
}

MermaidStyle MermaidStyle::forEdge(const attn::MermaidGraph& graph, const attn::MermaidEdge& edge)
{
    MermaidStyle s = parse(graph.defaultLinkStyle);
    s.overrideWith(parse(edge.style));
    return s;
}
