#pragma once
// The picture the ViT fixture (tests/fixtures/hf/vit, made by tests/tools) was run on: its
// pixels.npy holds [3, 16, 16] values normalised as (v / 255 - 0.5) / 0.5 from 8-bit colours, so
// the 16 x 16 RGB picture comes back exactly. Shared by the CLI and the GUI tests.
#include "NpyFile.h"

#include <QColor>
#include <QImage>
#include <QString>

#include <cmath>

inline QImage vitFixturePicture(const QString& fixtureDir)
{
    const auto pixels = attn::NpyFile::readFile((fixtureDir + QStringLiteral("/pixels.npy")).toStdString());
    if (!pixels.ok() || pixels->data.size() != size_t(3 * 16 * 16))
        return {};
    QImage picture(16, 16, QImage::Format_RGB888);
    for (int y = 0; y < 16; ++y)
        for (int x = 0; x < 16; ++x) {
            int rgb[3];
            for (int c = 0; c < 3; ++c)
                rgb[c] = static_cast<int>(std::lround((pixels->data[(static_cast<size_t>(c) * 16 + y) * 16 + x] * 0.5 + 0.5) * 255.0));
            picture.setPixelColor(x, y, QColor(rgb[0], rgb[1], rgb[2]));
        }
    return picture;
}
