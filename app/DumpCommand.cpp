#include "DumpCommand.h"

#include "AnalysisOptions.h"
#include "AtomicFileWriter.h"
#include "AttentionComputer.h"
#include "IndexSelection.h"
#include "MechanismOptions.h"
#include "NpyFile.h"
#include "ResultExport.h"

#include <QByteArrayView>
#include <QCommandLineParser>

#include <algorithm>
#include <bit>
#include <QTextStream>

CliError DumpCommand::run(const QStringList& arguments)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Compute attention and write the weights."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("dump"), QStringLiteral("The subcommand."));
    MechanismOptions::addTo(p);
    AnalysisOptions::addTo(p, true);
    p.addOptions({
        {QStringLiteral("out"), QStringLiteral("Weights: .npy (float32 [L,H,Nq,Nk]) or .json."), QStringLiteral("FILE")},
        {QStringLiteral("out-output"), QStringLiteral("The final output, float32 [Nq,d] .npy."), QStringLiteral("FILE.npy")},
        {QStringLiteral("qkv-out"),
            QStringLiteral("Checkpoints: per-head queries, keys and values, float32 [3,L,H,N,d_head] .npy."),
            QStringLiteral("FILE.npy")},
        {QStringLiteral("tokens-out"), QStringLiteral("The token labels as JSON {\"tokens\", \"query_tokens\"}."), QStringLiteral("FILE.json")},
        {QStringLiteral("layer"), QStringLiteral(".npy: only these layers, e.g. 0,2-4 (default all)."), QStringLiteral("LIST")},
        {QStringLiteral("head"), QStringLiteral(".npy: only these heads, e.g. 0,3 (default all)."), QStringLiteral("LIST")},
    });
    if (!p.parse(arguments))
        return CliError::usage(p.errorText());
    if (p.isSet(QStringLiteral("help"))) {
        QTextStream(stdout) << p.helpText();
        return {};
    }
    if (p.positionalArguments().size() > 1)
        return CliError::usage(QStringLiteral("unexpected argument '%1'").arg(p.positionalArguments().at(1)));

    const QString out = p.value(QStringLiteral("out"));
    if (out.isEmpty())
        return CliError::usage(QStringLiteral("--out FILE.npy|FILE.json is required"));
    const bool json = out.endsWith(QLatin1String(".json"), Qt::CaseInsensitive);
    if (!json && !out.endsWith(QLatin1String(".npy"), Qt::CaseInsensitive))
        return CliError::usage(QStringLiteral("--out must name a .npy or .json file (got '%1')").arg(out));
    const QString outOutput = p.value(QStringLiteral("out-output"));
    const QString qkvOut = p.value(QStringLiteral("qkv-out"));
    if (p.isSet(QStringLiteral("qkv-out")) && !qkvOut.endsWith(QLatin1String(".npy"), Qt::CaseInsensitive))
        return CliError::usage(QStringLiteral("--qkv-out must name a .npy file (got '%1')").arg(qkvOut));
    if (p.isSet(QStringLiteral("out-output")) && !outOutput.endsWith(QLatin1String(".npy"), Qt::CaseInsensitive))
        return CliError::usage(QStringLiteral("--out-output must name a .npy file (got '%1')").arg(outOutput));

    QString selectionError;
    const auto layerChoice = IndexSelection::parse(QStringLiteral("--layer"), p.value(QStringLiteral("layer")), selectionError);
    if (!layerChoice)
        return CliError::usage(selectionError);
    const auto headChoice = IndexSelection::parse(QStringLiteral("--head"), p.value(QStringLiteral("head")), selectionError);
    if (!headChoice)
        return CliError::usage(selectionError);

    attn::InputSpec inputSpec;
    attn::Mechanism mechanism;
    if (CliError e = MechanismOptions::read(p, inputSpec, mechanism); e.failed())
        return e;

    AnalysisChoice analysis;
    if (CliError e = AnalysisOptions::read(p, analysis, true); e.failed())
        return e;
    if (analysis.rollout && json)
        return CliError::usage(QStringLiteral("--rollout writes a .npy file (got '%1')").arg(out));
    if ((!layerChoice->all() || !headChoice->all()) && (json || analysis.rollout))
        return CliError::usage(QStringLiteral("--layer and --head select the maps of a .npy dump (not of .json or --rollout)"));
    // A checkpoint's plain .npy dump streams: no map is captured, each is made from the forward's queries
    // and keys while the file is written, head by head, a tile of rows at a time (any prompt length the
    // context allows, within O(L·N·d) memory). Analyses that need whole maps keep the captured path.
    if (inputSpec.kind == attn::InputKind::Model && !json && !analysis.rollout && !analysis.tokens.any() && qkvOut.isEmpty())
        inputSpec.mapCapture = attn::InputSpec::MapCapture::OnDemand;

    attn::ComputeControl control;
    if (CliError e = MechanismOptions::readControl(p, control); e.failed())
        return e;
    mechanism.keepScores = false; // dump writes weights only: keep one N x N buffer per head
    auto result = attn::AttentionComputer::compute(inputSpec, mechanism, control);
    if (!result)
        return CliError::badInput(QString::fromStdString(result.error()));
    if (analysis.tokens.any()) {
        result = attn::TokenView::apply(*result, analysis.tokens);
        if (!result)
            return CliError::badInput(QString::fromStdString(result.error()));
    }
    for (const auto& w : result->warnings)
        QTextStream(stderr) << "warning: " << QString::fromStdString(w) << '\n';

    if (!qkvOut.isEmpty()
        && (result->layerQueries.empty() || result->layerQueries.size() != result->layerKeys.size()
            || result->layerValues.size() != result->layerKeys.size()))
        return CliError::badInput(QStringLiteral(
            "--qkv-out: per-head queries, keys and values are captured for checkpoints (--model) only"));
    if (!outOutput.isEmpty() && result->output.size() == 0)
        return CliError::badInput(QStringLiteral("--out-output: this computation (a checkpoint) has no output matrix"));
    if (!result->nextToken.empty())
        QTextStream(stderr) << "next token: " << QString::fromStdString(result->nextToken) << " (p = "
                            << result->nextTokenProbability << ")\n";

    // Serialise everything first, then write: a failure leaves no output at all.
    std::string weights;
    if (analysis.rollout) {
        const auto rollout = attn::AttentionRollout::compute(*result, analysis.rolloutOptions, control);
        if (!rollout)
            return CliError::badInput(QStringLiteral("--rollout: ") + QString::fromStdString(rollout.error()));
        weights = attn::NpyFile::serialize({result->keyCount, result->keyCount}, rollout->data());
    } else if (json) {
        weights = attn::ResultExport::json(*result);
    }
    std::vector<int> layers, heads;
    if (!analysis.rollout && !json) {
        const auto l = layerChoice->resolve(result->layers, QStringLiteral("layers"), selectionError);
        const auto h = l ? headChoice->resolve(result->heads, QStringLiteral("heads"), selectionError) : std::nullopt;
        if (!l || !h)
            return CliError::badInput(selectionError);
        layers = *l;
        heads = *h;
    }
    std::string output;
    if (!outOutput.isEmpty())
        output = attn::ResultExport::outputNpy(*result);
    const QString tokensOut = p.value(QStringLiteral("tokens-out"));
    const std::string tokens = tokensOut.isEmpty() ? std::string() : attn::ResultExport::tokensJson(*result);
    if (!layers.empty()) {
        // The .npy header, then the selected maps in tiles of rows: never a second whole copy, never all
        // maps at once (ResultExport::streamWeightsNpy).
        const QString err = AtomicFileWriter::writeStreamed(out, [&](const AtomicFileWriter::Sink& sink) -> QString {
            attn::ResultExport::streamWeightsNpy(*result, layers, heads, [&sink](const char* data, size_t size) {
                return sink(QByteArrayView(data, static_cast<qsizetype>(size)));
            });
            return {};
        });
        if (!err.isEmpty())
            return CliError::badInput(err);
    } else if (QString err = AtomicFileWriter::write(
                   out, std::vector<QByteArrayView> {QByteArrayView(weights.data(), static_cast<qsizetype>(weights.size()))});
               !err.isEmpty()) {
        return CliError::badInput(err);
    }
    if (!outOutput.isEmpty())
        if (QString err = AtomicFileWriter::write(outOutput, QByteArray::fromStdString(output)); !err.isEmpty())
            return CliError::badInput(err);
    if (!qkvOut.isEmpty()) {
        const std::string header = attn::NpyFile::header(
            {3, result->layers, result->heads, result->keyCount, result->headDim});
        auto view = [](const std::vector<float>& v) {
            return QByteArrayView(reinterpret_cast<const char*>(v.data()), static_cast<qsizetype>(v.size() * sizeof(float)));
        };
        if (QString err = AtomicFileWriter::write(qkvOut, {QByteArrayView(header.data(), static_cast<qsizetype>(header.size())),
                view(result->layerQueries), view(result->layerKeys), view(result->layerValues)});
            !err.isEmpty())
            return CliError::badInput(err);
    }
    if (!tokensOut.isEmpty())
        if (QString err = AtomicFileWriter::write(tokensOut, QByteArray::fromStdString(tokens)); !err.isEmpty())
            return CliError::badInput(err);
    return {};
}
