#pragma once
// One distinct colour per head (matplotlib's tab10, then repeated), for the lines view.
#include <QColor>

class HeadPalette {
public:
    static QColor color(int head);
};
