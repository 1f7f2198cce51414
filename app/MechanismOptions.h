#pragma once
// The INPUT and MECH options shared by the headless commands (dump, export, ...):
//   INPUT  --sample NAME | --text STR | --text-file F | --sequence STR | --sequence-file F.csv | --npy F.npy
//          [--queries-sequence STR | --queries-npy F.npy | --queries-text STR]   (cross-attention)
//          [--tokenizer word|character] [--positions]
//          --image F [--patch P] [--encoding patches|features] [--fit crop|pad] [--no-positions]
//   MECH   --score --norm --scope --causal --heads --dim --temperature --seed --projection
//          --dynamic --combine --top-k
//   LIMITS --memory-limit MB
// A sample supplies both an input and a mechanism; explicit MECH options override it.
#include "CliError.h"
#include "ComputeControl.h"
#include "InputSpec.h"
#include "Mechanism.h"

class QCommandLineParser;

class MechanismOptions {
public:
    static void addTo(QCommandLineParser& parser);
    // Fills input and mechanism; usage errors for malformed options, bad input for unknown files.
    // Pictures (--image, or a sample of kind image) are decoded here (ImageDecoder): a corrupt,
    // empty or unsupported file is bad input.
    static CliError read(const QCommandLineParser& parser, attn::InputSpec& input, attn::Mechanism& mechanism);
    // "global", "local:W" or "hybrid:W:G" into the mechanism's scope fields; `option` names the flag.
    static CliError parseScope(const QString& option, const QString& text, attn::Mechanism& mechanism);
    // --patch, --encoding, --fit, --no-positions (usage errors when the input is not a picture).
    static CliError readImageOptions(const QCommandLineParser& parser, attn::InputSpec& input);
    // --memory-limit MB: the budget checked before large allocations (default: half of physical memory).
    static CliError readControl(const QCommandLineParser& parser, attn::ComputeControl& control);
};
