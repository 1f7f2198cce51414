#include "ExportCommand.h"

#include "AnalysisOptions.h"
#include "AttentionComputer.h"
#include "ColorMap.h"
#include "DiffView.h"
#include "MechanismOptions.h"
#include "MermaidFile.h"
#include "OverlayView.h"
#include "SampleLibrary.h"
#include "ViewExporter.h"

#include <QCommandLineParser>
#include <QTextStream>

#include <algorithm>

namespace {
std::variant<ComputationPtr, CliError> compute(const attn::InputSpec& spec, const attn::Mechanism& mechanism,
    const attn::ComputeControl& control, const attn::TokenViewOptions& tokens)
{
    auto result = attn::AttentionComputer::compute(spec, mechanism, control);
    if (result && tokens.any())
        result = attn::TokenView::apply(*result, tokens);
    if (!result)
        return CliError::badInput(QString::fromStdString(result.error()));
    auto c = std::make_shared<Computation>();
    c->input = spec;
    c->mechanism = mechanism;
    c->result = std::make_shared<const attn::AttentionResult>(std::move(*result));
    return ComputationPtr(c);
}

CliError readInt(const QCommandLineParser& p, const QString& name, int& out, int lo, int hi)
{
    if (!p.isSet(name))
        return {};
    bool ok = false;
    const int v = p.value(name).toInt(&ok);
    if (!ok || v < lo || v > hi)
        return CliError::usage(QStringLiteral("--%1: '%2' is not a whole number from %3 to %4").arg(name, p.value(name)).arg(lo).arg(hi));
    out = v;
    return {};
}
} // namespace

CliError ExportCommand::run(const QStringList& arguments)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Render a view to PNG, SVG or PDF without a display."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("export"), QStringLiteral("The subcommand."));
    MechanismOptions::addTo(p);
    AnalysisOptions::addTo(p, false);
    p.addOptions({
        {QStringLiteral("view"), QStringLiteral("heatmap|heads|lines|diff|pipeline|qk|overlay (default heatmap; qk: one head's queries and keys)."),
            QStringLiteral("VIEW")},
        {QStringLiteral("query"), QStringLiteral("Overlay: the query patch as row,column (default: the centre patch)."),
            QStringLiteral("R,C")},
        {QStringLiteral("overlay-mode"), QStringLiteral("Overlay: query (default), received, spatial or rollout."),
            QStringLiteral("MODE")},
        {QStringLiteral("opacity"), QStringLiteral("Overlay: opacity of the heat layer, 0 to 1 (default 0.6)."),
            QStringLiteral("A")},
        {QStringLiteral("no-grid"), QStringLiteral("Overlay: leave out the grid lines.")},
        {QStringLiteral("qk-layout"), QStringLiteral("Q/K view: pca (default) or tsne."), QStringLiteral("LAYOUT")},
        {QStringLiteral("mermaid"), QStringLiteral("Pipeline view: this Mermaid flowchart instead of the mechanism's own."),
            QStringLiteral("F.mmd")},
        {QStringLiteral("out"), QStringLiteral("The picture: .png, .svg or .pdf."), QStringLiteral("FILE")},
        {QStringLiteral("head"), QStringLiteral("Head index or 'mean' (default 0)."), QStringLiteral("H")},
        {QStringLiteral("layer"), QStringLiteral("Layer index (default 0)."), QStringLiteral("L")},
        {QStringLiteral("width"), QStringLiteral("Width in pixels (default 1600)."), QStringLiteral("W")},
        {QStringLiteral("height"), QStringLiteral("Height in pixels (default 1200)."), QStringLiteral("H")},
        {QStringLiteral("dpi"), QStringLiteral("Resolution for PNG metadata and PDF (default 96)."), QStringLiteral("DPI")},
        {QStringLiteral("colormap"), QStringLiteral("viridis|magma|inferno|cividis|grayscale."), QStringLiteral("NAME")},
        {QStringLiteral("range"), QStringLiteral("per-head|fixed|shared|log."), QStringLiteral("R")},
        {QStringLiteral("no-colorbar"), QStringLiteral("Leave out the colour bar.")},
        {QStringLiteral("no-labels"), QStringLiteral("Leave out the token labels.")},
        {QStringLiteral("vs-score"), QStringLiteral("Diff view: B's score."), QStringLiteral("S")},
        {QStringLiteral("vs-norm"), QStringLiteral("Diff view: B's normaliser."), QStringLiteral("N")},
        {QStringLiteral("vs-scope"), QStringLiteral("Diff view: B's scope."), QStringLiteral("SCOPE")},
    });
    if (!p.parse(arguments))
        return CliError::usage(p.errorText());
    if (p.isSet(QStringLiteral("help"))) {
        QTextStream(stdout) << p.helpText();
        return {};
    }
    if (p.positionalArguments().size() > 1)
        return CliError::usage(QStringLiteral("unexpected argument '%1'").arg(p.positionalArguments().at(1)));

    ExportOptions o;
    o.view = p.isSet(QStringLiteral("view")) ? p.value(QStringLiteral("view")) : QStringLiteral("heatmap");
    if (!ViewExporter::viewNames().contains(o.view))
        return CliError::usage(
            QStringLiteral("--view: '%1' is not one of %2").arg(o.view, ViewExporter::viewNames().join(QStringLiteral(", "))));
    const bool overlay = o.view == QLatin1String("overlay");
    for (const QString& name : {QStringLiteral("query"), QStringLiteral("overlay-mode"), QStringLiteral("opacity"),
             QStringLiteral("no-grid")})
        if (p.isSet(name) && !overlay)
            return CliError::usage(QStringLiteral("--%1 is for --view overlay").arg(name));
    int queryRow = -1, queryCol = -1;
    if (p.isSet(QStringLiteral("query"))) {
        const QStringList rc = p.value(QStringLiteral("query")).split(QLatin1Char(','));
        bool okRow = false, okCol = false;
        if (rc.size() == 2) {
            queryRow = rc[0].trimmed().toInt(&okRow);
            queryCol = rc[1].trimmed().toInt(&okCol);
        }
        if (!okRow || !okCol || queryRow < 0 || queryCol < 0)
            return CliError::usage(
                QStringLiteral("--query: '%1' is not a patch row,column such as 3,5").arg(p.value(QStringLiteral("query"))));
    }
    if (p.isSet(QStringLiteral("overlay-mode"))) {
        o.overlayMode = p.value(QStringLiteral("overlay-mode"));
        if (!OverlayView::parseMode(o.overlayMode))
            return CliError::usage(
                QStringLiteral("--overlay-mode: '%1' is not one of query, received, spatial, rollout").arg(o.overlayMode));
    }
    if (p.isSet(QStringLiteral("opacity"))) {
        bool ok = false;
        o.opacity = p.value(QStringLiteral("opacity")).toDouble(&ok);
        if (!ok || !(o.opacity >= 0.0 && o.opacity <= 1.0))
            return CliError::usage(
                QStringLiteral("--opacity: '%1' is not a number from 0 to 1").arg(p.value(QStringLiteral("opacity"))));
    }
    o.grid = !p.isSet(QStringLiteral("no-grid"));
    if (p.isSet(QStringLiteral("qk-layout"))) {
        if (o.view != QLatin1String("qk"))
            return CliError::usage(QStringLiteral("--qk-layout is for --view qk"));
        const QString layout = p.value(QStringLiteral("qk-layout"));
        if (layout != QLatin1String("pca") && layout != QLatin1String("tsne"))
            return CliError::usage(QStringLiteral("--qk-layout: '%1' is not one of pca, tsne").arg(layout));
        o.qkTsne = layout == QLatin1String("tsne");
    }
    const bool pipeline = o.view == QLatin1String("pipeline");
    if (p.isSet(QStringLiteral("mermaid")) && !pipeline)
        return CliError::usage(QStringLiteral("--mermaid is for --view pipeline"));
    // The pipeline needs no input of its own: without one, the default sample's stages bind it.
    const QStringList inputs{QStringLiteral("sample"), QStringLiteral("text"), QStringLiteral("text-file"),
        QStringLiteral("sequence"), QStringLiteral("sequence-file"), QStringLiteral("npy"), QStringLiteral("model"),
        QStringLiteral("image")};
    if (pipeline && std::none_of(inputs.begin(), inputs.end(), [&p](const QString& s) { return p.isSet(s); }))
        p.parse(arguments + QStringList{QStringLiteral("--sample"), QString::fromLatin1(attn::SampleLibrary::defaultSampleName())});
    const QString out = p.value(QStringLiteral("out"));
    if (out.isEmpty())
        return CliError::usage(QStringLiteral("--out F.png|F.svg|F.pdf is required"));
    if (ViewExporter::formatOf(out) == ViewExporter::Format::Unknown)
        return CliError::usage(QStringLiteral("--out must name a .png, .svg or .pdf file (got '%1')").arg(out));
    CliError e;
    auto first = [&e](CliError next) {
        if (!e.failed())
            e = std::move(next);
    };
    first(readInt(p, QStringLiteral("width"), o.width, 16, 20000));
    first(readInt(p, QStringLiteral("height"), o.height, 16, 20000));
    first(readInt(p, QStringLiteral("dpi"), o.dpi, 36, 1200));
    first(readInt(p, QStringLiteral("layer"), o.layer, 0, 1 << 20));
    if (p.isSet(QStringLiteral("head"))) {
        if (p.value(QStringLiteral("head")) == QLatin1String("mean"))
            o.head = -1;
        else
            first(readInt(p, QStringLiteral("head"), o.head, 0, 1 << 20));
    }
    if (p.isSet(QStringLiteral("colormap"))) {
        o.colormap = p.value(QStringLiteral("colormap"));
        if (!ColorMap::isKnown(o.colormap))
            first(CliError::usage(QStringLiteral("--colormap: '%1' is not one of %2")
                                      .arg(o.colormap, ColorMap::names().join(QStringLiteral(", ")))));
    }
    if (p.isSet(QStringLiteral("range"))) {
        o.range = p.value(QStringLiteral("range"));
        if (!QStringList{QStringLiteral("per-head"), QStringLiteral("fixed"), QStringLiteral("shared"), QStringLiteral("log")}
                 .contains(o.range))
            first(CliError::usage(QStringLiteral("--range: '%1' is not one of per-head, fixed, shared, log").arg(o.range)));
    }
    o.colorBar = !p.isSet(QStringLiteral("no-colorbar"));
    o.labels = !p.isSet(QStringLiteral("no-labels"));
    if (p.isSet(QStringLiteral("mermaid")) && !e.failed()) {
        attn::MermaidGraph graph;
        first(MermaidFile::load(p.value(QStringLiteral("mermaid")), o.mermaid, graph));
    }

    attn::InputSpec spec;
    attn::Mechanism mechanism;
    first(MechanismOptions::read(p, spec, mechanism));
    if (e.failed())
        return e;
    attn::Mechanism vs = DiffView::defaultComparison(mechanism);
    if (p.isSet(QStringLiteral("vs-score"))) {
        const auto v = attn::parseScoreKind(p.value(QStringLiteral("vs-score")).toStdString());
        if (!v)
            return CliError::usage(QStringLiteral("--vs-score: '%1' is not one of dot, scaled-dot, additive, bilinear, cosine")
                                       .arg(p.value(QStringLiteral("vs-score"))));
        vs.score = *v;
    }
    if (p.isSet(QStringLiteral("vs-norm"))) {
        const auto v = attn::parseNormKind(p.value(QStringLiteral("vs-norm")).toStdString());
        if (!v)
            return CliError::usage(
                QStringLiteral("--vs-norm: '%1' is not one of softmax, sigmoid, ratio").arg(p.value(QStringLiteral("vs-norm"))));
        vs.norm = *v;
    }
    if (p.isSet(QStringLiteral("vs-scope")))
        if (CliError se = MechanismOptions::parseScope(QStringLiteral("vs-scope"), p.value(QStringLiteral("vs-scope")), vs);
            se.failed())
            return se;

    attn::ComputeControl control;
    if (CliError ce = MechanismOptions::readControl(p, control); ce.failed())
        return ce;
    AnalysisChoice analysis;
    if (CliError ae = AnalysisOptions::read(p, analysis, false); ae.failed())
        return ae;
    auto a = compute(spec, mechanism, control, analysis.tokens);
    if (auto* err = std::get_if<CliError>(&a))
        return *err;
    if (overlay) {
        const auto& r = *std::get<ComputationPtr>(a)->result;
        if (r.gridRows <= 0)
            return CliError::usage(QStringLiteral("--view overlay needs an image input (--image F)"));
        if (queryRow >= 0) {
            if (queryRow >= r.gridRows || queryCol >= r.gridCols)
                return CliError::badInput(QStringLiteral("--query %1,%2 is outside the %3 x %4 patch grid")
                                              .arg(queryRow)
                                              .arg(queryCol)
                                              .arg(r.gridRows)
                                              .arg(r.gridCols));
            o.query = (r.keyCount - r.gridRows * r.gridCols) + queryRow * r.gridCols + queryCol; // after a ViT's CLS
        }
    }
    ComputationPtr b;
    if (o.view == QLatin1String("diff")) {
        auto computed = compute(spec, vs, control, analysis.tokens);
        if (auto* err = std::get_if<CliError>(&computed))
            return CliError::badInput(QStringLiteral("mechanism B: ") + err->message);
        b = std::get<ComputationPtr>(computed);
    }
    const QString error = ViewExporter::exportView(out, std::get<ComputationPtr>(a), b, o);
    if (!error.isEmpty())
        return CliError::badInput(error);
    return {};
}
