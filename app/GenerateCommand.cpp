#include "GenerateCommand.h"

#include "ModelRunner.h"

#include <QCommandLineParser>
#include <QTextStream>

CliError GenerateCommand::run(const QStringList& arguments)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Greedy generation from a llama2.c checkpoint."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("generate"), QStringLiteral("The subcommand."));
    p.addOptions({
        {QStringLiteral("model"), QStringLiteral("A causal LM checkpoint or its folder (llama2.c .bin; Hugging Face gpt2 or llama)."), QStringLiteral("PATH")},
        {QStringLiteral("text"), QStringLiteral("The prompt (BOS is added; empty: BOS alone)."), QStringLiteral("STR")},
        {QStringLiteral("steps"), QStringLiteral("How many tokens to generate (default 64)."), QStringLiteral("K")},
        {QStringLiteral("tokens"), QStringLiteral("Also print one line per token: index, id, piece.")},
    });
    if (!p.parse(arguments))
        return CliError::usage(p.errorText());
    if (p.isSet(QStringLiteral("help"))) {
        QTextStream(stdout) << p.helpText();
        return {};
    }
    if (!p.isSet(QStringLiteral("model")))
        return CliError::usage(QStringLiteral("--model PATH is required"));
    int steps = 64;
    if (p.isSet(QStringLiteral("steps"))) {
        bool ok = false;
        steps = p.value(QStringLiteral("steps")).toInt(&ok);
        if (!ok || steps < 1 || steps > 100000)
            return CliError::usage(QStringLiteral("--steps: '%1' is not a whole number from 1 to 100000").arg(p.value(QStringLiteral("steps"))));
    }
    const std::string prompt = p.value(QStringLiteral("text")).toStdString();
    auto tokens = attn::ModelRunner::generate(p.value(QStringLiteral("model")).toStdString(), prompt, steps);
    if (!tokens)
        return CliError::badInput(QString::fromStdString(tokens.error()));
    QTextStream out(stdout);
    std::string text = prompt;
    for (const auto& t : *tokens)
        text += t.piece;
    out << QString::fromStdString(text) << '\n';
    if (p.isSet(QStringLiteral("tokens"))) {
        int index = 0;
        for (const auto& t : *tokens)
            out << index++ << '\t' << t.id << '\t' << QString::fromStdString(t.piece) << '\n';
    }
    return {};
}
