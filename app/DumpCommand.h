#pragma once
// attnscope dump INPUT MECH --out FILE.npy|FILE.json [--out-output FILE.npy]
// Computes attention headlessly and writes the weights (float32 [L,H,Nq,Nk] as .npy, or JSON
// with tokens, shape, attention, output and mechanism), optionally the final output [Nq,d].
#include "CliError.h"

#include <QStringList>

class DumpCommand {
public:
    static CliError run(const QStringList& arguments);
};
