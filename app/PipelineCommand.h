#pragma once
// attnscope pipeline [--mermaid F.mmd] [--sample NAME] --dump-json
// Prints a pipeline diagram as JSON (MermaidJson: nodes with their shape and bound stage, edges
// with their kind, subgraphs). The diagram is F.mmd, or without --mermaid the engine's own
// diagram of the sample's mechanism; nodes are bound against the stages the sample's computation
// has (the default sample unless --sample). Exit 1 for a missing file or a syntax error
// ("F.mmd: line L, column C: ..."), 2 for bad usage.
#include "CliError.h"

#include <QStringList>

class PipelineCommand {
public:
    static CliError run(const QStringList& arguments);
};
