#include "PipelineCommand.h"

#include "AttentionComputer.h"
#include "MermaidFile.h"
#include "MermaidJson.h"
#include "MermaidParser.h"
#include "PipelineDiagram.h"
#include "SampleCatalog.h"
#include "SampleLibrary.h"
#include "StageBinder.h"

#include <nlohmann/json.hpp>

#include <QCommandLineParser>
#include <QTextStream>

#include <cstdio>

CliError PipelineCommand::run(const QStringList& arguments)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Print a pipeline diagram with its stage binding as JSON."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("pipeline"), QStringLiteral("The subcommand."));
    p.addOptions({
        {QStringLiteral("mermaid"), QStringLiteral("A Mermaid flowchart (default: the mechanism's own diagram)."),
            QStringLiteral("F.mmd")},
        {QStringLiteral("sample"), QStringLiteral("Bind against this sample's stages (default: the default sample)."),
            QStringLiteral("NAME")},
        {QStringLiteral("dump-json"), QStringLiteral("Print the diagram and its binding as JSON on stdout.")},
    });
    if (!p.parse(arguments))
        return CliError::usage(p.errorText());
    if (p.isSet(QStringLiteral("help"))) {
        QTextStream(stdout) << p.helpText();
        return {};
    }
    if (!p.positionalArguments().isEmpty()) // (the first argument, the subcommand, is the parser's program name)
        return CliError::usage(QStringLiteral("unexpected argument '%1'").arg(p.positionalArguments().front()));
    if (!p.isSet(QStringLiteral("dump-json")))
        return CliError::usage(QStringLiteral("--dump-json is required (the JSON form is what this command prints)"));
    const QString sampleName = p.isSet(QStringLiteral("sample")) ? p.value(QStringLiteral("sample"))
                                                                 : QString::fromLatin1(attn::SampleLibrary::defaultSampleName());
    const auto sample = SampleCatalog::find(sampleName);
    if (!sample)
        return CliError::usage(QStringLiteral("unknown sample '%1'; 'attnscope samples' lists them").arg(sampleName));

    attn::MermaidGraph graph;
    if (p.isSet(QStringLiteral("mermaid"))) {
        QString text;
        if (CliError e = MermaidFile::load(p.value(QStringLiteral("mermaid")), text, graph); e.failed())
            return e;
    }
    // The stages the sample's computation actually has.
    auto result = attn::AttentionComputer::compute(sample->input, sample->mechanism);
    if (!result)
        return CliError::badInput(QStringLiteral("sample '%1': %2").arg(sampleName, QString::fromStdString(result.error())));
    if (!p.isSet(QStringLiteral("mermaid"))) {
        auto generated = attn::MermaidParser::parse(attn::PipelineDiagram::fromMechanism(sample->mechanism, result->cross));
        if (!generated)
            return CliError::badInput(QString::fromStdString(generated.error())); // a defect of ours, reported
        graph = std::move(*generated);
    }
    const nlohmann::json j = attn::MermaidJson::toJson(graph, attn::StageBinder::bind(graph, result->stageNames()));
    const std::string out = j.dump(2) + "\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
    return {};
}
