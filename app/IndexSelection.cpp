#include "IndexSelection.h"

#include <QStringList>

#include <algorithm>

std::optional<IndexSelection> IndexSelection::parse(const QString& what, const QString& text, QString& error)
{
    IndexSelection s;
    s.m_what = what;
    if (text.trimmed().isEmpty() || text.trimmed() == QLatin1String("all"))
        return s;
    s.m_all = false;
    for (const QString& raw : text.split(QLatin1Char(','))) {
        const QString part = raw.trimmed();
        const auto dash = part.indexOf(QLatin1Char('-'), 1);
        bool okA = false, okB = false;
        int a = 0, b = 0;
        if (dash > 0) {
            a = part.left(dash).toInt(&okA);
            b = part.mid(dash + 1).toInt(&okB);
        } else {
            a = b = part.toInt(&okA);
            okB = okA;
        }
        if (!okA || !okB || a < 0 || b < 0) {
            error = QStringLiteral("%1: '%2' is not an index, a range a-b or a list of them (e.g. 0,2-4)").arg(what, part);
            return std::nullopt;
        }
        if (b < a) {
            error = QStringLiteral("%1: the range '%2' runs backwards (write %3-%4)").arg(what, part).arg(b).arg(a);
            return std::nullopt;
        }
        s.m_ranges.emplace_back(a, b);
    }
    return s;
}

std::optional<std::vector<int>> IndexSelection::resolve(int count, const QString& noun, QString& error) const
{
    std::vector<int> out;
    if (m_all) {
        for (int i = 0; i < count; ++i)
            out.push_back(i);
        return out;
    }
    for (const auto& [a, b] : m_ranges) {
        if (b >= count) {
            error = QStringLiteral("%1: %2 is outside 0..%3 (there are %4 %5)")
                        .arg(m_what)
                        .arg(b)
                        .arg(count - 1)
                        .arg(count)
                        .arg(noun);
            return std::nullopt;
        }
        for (int i = a; i <= b; ++i)
            out.push_back(i);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}
