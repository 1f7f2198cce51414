#pragma once
// attnscope session INPUT MECH --out F.attnscope [--view heatmap|heads|lines|diff] [--head H]
// Writes a session file from the command line (a teacher can prepare sessions for a class;
// the desktop app opens them with File ▸ Open Session). Also: `--check F.attnscope` reads one
// and says whether it opens (exit 1 with the reason when not).
#include "CliError.h"

#include <QStringList>

class SessionCommand {
public:
    static CliError run(const QStringList& arguments);
};
