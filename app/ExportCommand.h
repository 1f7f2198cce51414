#pragma once
// attnscope export INPUT MECH --view heatmap|heads|lines|diff --out F.png|F.svg|F.pdf
//                  [--head H|mean] [--layer L] [--width W --height H] [--colormap NAME] [--range R]
//                  [--vs-score S --vs-norm N --vs-scope SCOPE]
// Renders a view offscreen through the same ViewExporter as the GUI's Export dialog. For the
// diff view, B is A's mechanism with the --vs-* fields (default: additive score, or scaled-dot
// when A is additive).
#include "CliError.h"

#include <QStringList>

class ExportCommand {
public:
    static CliError run(const QStringList& arguments);
};
