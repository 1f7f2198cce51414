#include "TokenFont.h"

#include <QStringList>

QFont TokenFont::font(int pointSize, int weight)
{
    QFont f;
    f.setFamilies({QStringLiteral("Noto Sans"), QStringLiteral("DejaVu Sans"), QStringLiteral("Noto Sans CJK SC")});
    f.setPointSize(pointSize);
    f.setWeight(static_cast<QFont::Weight>(weight));
    return f;
}
