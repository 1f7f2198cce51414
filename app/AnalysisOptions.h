#pragma once
// The analysis options shared by dump and export:
//   --drop-special --drop-first --merge-subwords      (core/TokenView: every view, every output)
//   dump only: --rollout [--fusion mean|min|max] [--discard R] [--rollout-layer L]
//              (core/AttentionRollout: --out gets float32 [N, N] instead of the weights)
#include "AttentionRollout.h"
#include "CliError.h"
#include "TokenView.h"

class QCommandLineParser;

struct AnalysisChoice {
    attn::TokenViewOptions tokens;
    bool rollout = false;
    attn::RolloutOptions rolloutOptions;
};

class AnalysisOptions {
public:
    static void addTo(QCommandLineParser& parser, bool withRollout);
    static CliError read(const QCommandLineParser& parser, AnalysisChoice& choice, bool withRollout);
};
