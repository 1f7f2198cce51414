#include "PipelineTheme.h"

#include "TokenFont.h"

namespace {
QFont pixelFont(int pixels, int weight = QFont::Normal)
{
    QFont f = TokenFont::font(10, weight); // Noto Sans, then Noto Sans CJK SC for Chinese
    f.setPixelSize(pixels);
    return f;
}
} // namespace

QFont PipelineTheme::nodeFont() { return pixelFont(14); }
QFont PipelineTheme::edgeLabelFont() { return pixelFont(12); }
QFont PipelineTheme::titleFont() { return pixelFont(13, QFont::DemiBold); }
