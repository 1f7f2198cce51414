#pragma once
// The font for token labels: Noto Sans with Noto Sans CJK SC as the fallback, chosen
// explicitly so Chinese labels render (and export to PDF) with the Simplified Chinese glyphs.
#include <QFont>

class TokenFont {
public:
    static QFont font(int pointSize = 9, int weight = QFont::Normal);
};
