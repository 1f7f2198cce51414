#pragma once
// attnscope generate --model PATH --text STR --steps K
// Greedy generation from a llama2.c checkpoint: prints the prompt's continuation, then (with
// --tokens) one line per new token: index<TAB>id<TAB>piece.
#include "CliError.h"

#include <QStringList>

class GenerateCommand {
public:
    static CliError run(const QStringList& arguments);
};
