#include "HeadPalette.h"

QColor HeadPalette::color(int head)
{
    static const QRgb tab10[] = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b, 0xe377c2, 0x7f7f7f,
        0xbcbd22, 0x17becf};
    return QColor::fromRgb(tab10[(head < 0 ? 0 : head) % 10]);
}
