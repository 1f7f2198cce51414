#pragma once
// A Mermaid flowchart file given on the command line (`pipeline --mermaid`, `export --mermaid`):
// read (at most 1 MiB, UTF-8) and parsed. Failures are bad input (exit 1), named after the file
// as given: "F.mmd: no such file", "F.mmd: line L, column C: expected X, found Y".
#include "CliError.h"
#include "MermaidGraph.h"

#include <QString>

class MermaidFile {
public:
    static CliError load(const QString& path, QString& text, attn::MermaidGraph& graph);
};
