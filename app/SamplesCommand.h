#pragma once
// attnscope samples: one line per bundled sample, name<TAB>kind<TAB>description.
#include "CliError.h"

#include <QStringList>

class SamplesCommand {
public:
    static CliError run(const QStringList& arguments);
};
