#include "ExportScene.h"

#include "DiffView.h"
#include "EmbeddingView.h"
#include "HeadGridView.h"
#include "HeatmapView.h"
#include "LinesView.h"
#include "MermaidParser.h"
#include "OverlayView.h"
#include "PipelineDiagram.h"
#include "PipelineView.h"
#include "StageBinder.h"
#include "ViewExporter.h"

#include <qcustomplot.h>

#include <QComboBox>

namespace {
HeatmapView::RangeMode sceneRangeOf(const QString& name)
{
    if (name == QLatin1String("fixed"))
        return HeatmapView::RangeMode::Fixed;
    if (name == QLatin1String("shared"))
        return HeatmapView::RangeMode::Shared;
    if (name == QLatin1String("log"))
        return HeatmapView::RangeMode::Log;
    return HeatmapView::RangeMode::PerHead;
}
} // namespace

ExportScene::~ExportScene() = default;

void ExportScene::fail(const QString& message)
{
    if (m_error.isEmpty())
        m_error = message;
}

bool ExportScene::isPending() const { return m_error.isEmpty() && m_pending && m_pending(); }

void ExportScene::finish()
{
    if (isPending() && m_finish)
        m_finish();
}

void ExportScene::paint(QCPPainter& painter, const QRect& area)
{
    if (m_paint && m_error.isEmpty())
        m_paint(painter, area);
}

ExportScene::ExportScene(const ComputationPtr& computation, const ComputationPtr& comparison, const ExportOptions& options)
    : m_options(options)
{
    build(computation, comparison);
}

void ExportScene::build(const ComputationPtr& computation, const ComputationPtr& comparison)
{
    const ExportOptions& o = m_options;
    if (!computation)
        return fail(QStringLiteral("nothing to export: no computation"));
    if (o.width < 16 || o.height < 16 || o.width > 20000 || o.height > 20000)
        return fail(QStringLiteral("the export size %1 x %2 is outside 16..20000 pixels").arg(o.width).arg(o.height));
    const auto& r = *computation->result;
    if (o.head >= r.heads || o.head < -1 || o.layer < 0 || o.layer >= r.layers)
        return fail(QStringLiteral("there is no head %1 in layer %2 (the result has %3 layer(s) of %4 head(s))")
                        .arg(o.head)
                        .arg(o.layer)
                        .arg(r.layers)
                        .arg(r.heads));

    if (o.view == QLatin1String("heatmap")) {
        auto* view = new HeatmapView;
        m_view.reset(view);
        view->setColorMap(o.colormap);
        view->setRangeMode(sceneRangeOf(o.range));
        view->setLabelsVisible(o.labels);
        if (!o.colorBar)
            view->setColorScaleVisible(false);
        connect(view, &HeatmapView::failed, this, [this](const QString& message) { fail(message); });
        connect(view, &HeatmapView::mapReady, this, &ExportScene::ready);
        // The head first, then the computation: one map asked for (a long prompt's is made on a worker).
        view->setHead(o.layer, o.head);
        view->setComputation(computation);
        m_pending = [view] { return view->isMapPending(); };
        m_finish = [view] { view->finishMap(); };
        m_paint = [view](QCPPainter& p, const QRect& area) { view->plot()->toPainter(&p, area.width(), area.height()); };
        return;
    }
    if (o.view == QLatin1String("heads")) {
        auto* view = new HeadGridView;
        m_view.reset(view);
        view->setColorMap(o.colormap);
        view->setCurrent(-100, -100); // no highlight in exports
        connect(view, &HeadGridView::tilesReady, this, &ExportScene::ready);
        view->setComputation(computation);
        m_pending = [view] { return view->tilesPending(); };
        m_finish = [view] { view->finishTiles(); };
        m_paint = [view](QCPPainter& p, const QRect& area) { view->paint(p, area); };
        return;
    }
    if (o.view == QLatin1String("lines")) {
        auto* view = new LinesView;
        m_view.reset(view);
        view->setComputation(computation);
        view->setLayer(o.layer);
        m_paint = [view](QCPPainter& p, const QRect& area) { view->paint(p, area); };
        return;
    }
    if (o.view == QLatin1String("diff")) {
        if (!comparison)
            return fail(QStringLiteral("the diff view needs a second computation"));
        auto* view = new DiffView;
        m_view.reset(view);
        view->setColorMap(o.colormap);
        view->setComputations(computation, comparison);
        view->setHead(o.layer, o.head);
        m_paint = [view](QCPPainter& p, const QRect& area) { view->render(p, area); };
        return;
    }
    if (o.view == QLatin1String("pipeline")) {
        // The given Mermaid source, or the engine's own diagram of this mechanism.
        const std::string source = o.mermaid.isEmpty()
                                       ? attn::PipelineDiagram::fromMechanism(computation->mechanism, r.cross)
                                       : o.mermaid.toStdString();
        auto graph = attn::MermaidParser::parse(source);
        if (!graph)
            return fail(QStringLiteral("the pipeline diagram: %1").arg(QString::fromStdString(graph.error())));
        auto* view = new PipelineView;
        m_view.reset(view);
        view->setMarkUnbound(false); // the diagram as written
        view->setSynchronousLayout(true);
        view->setDiagram(*graph, attn::StageBinder::bind(*graph, r.stageNames()));
        m_paint = [view](QCPPainter& p, const QRect& area) { view->paint(p, area); };
        return;
    }
    if (o.view == QLatin1String("qk")) {
        if (o.head < 0)
            return fail(QStringLiteral("the Q/K view shows one head: choose a head, not the mean of heads"));
        auto* view = new EmbeddingView;
        m_view.reset(view);
        view->setSynchronous(true);
        view->layoutBox()->setCurrentIndex(o.qkTsne ? 1 : 0);
        view->setColorMap(o.colormap);
        view->setComputation(computation);
        view->setHead(o.layer, o.head);
        view->setFigureDecorations(true, o.labels);
        if (!view->points())
            return fail(QStringLiteral("the Q/K view: %1").arg(view->message()));
        m_paint = [view](QCPPainter& p, const QRect& area) { view->plot()->toPainter(&p, area.width(), area.height()); };
        return;
    }
    if (o.view == QLatin1String("overlay")) {
        if (r.gridRows <= 0)
            return fail(QStringLiteral("the overlay view needs an image input (--image F)"));
        const auto mode = OverlayView::parseMode(o.overlayMode);
        if (!mode)
            return fail(QStringLiteral("unknown overlay mode '%1' (query, received, spatial, rollout)").arg(o.overlayMode));
        if (!OverlayView::isModeAvailable(*mode, r))
            return fail(*mode == OverlayView::Mode::Rollout
                            ? QStringLiteral("the rollout overlay needs several layers and the rollout engine")
                            : QStringLiteral("this computation has no spatial attention map"));
        if (o.query >= r.queryCount)
            return fail(QStringLiteral("there is no query patch %1,%2 in the %3 x %4 grid")
                            .arg(o.query / r.gridCols)
                            .arg(o.query % r.gridCols)
                            .arg(r.gridRows)
                            .arg(r.gridCols));
        auto* view = new OverlayView;
        m_view.reset(view);
        view->setComputation(computation);
        view->setHead(o.layer, o.head);
        view->setColorMap(o.colormap);
        view->setMode(*mode);
        view->selectQuery(o.query);
        view->setOpacity(o.opacity);
        view->setGridVisible(o.grid);
        view->setCaptionVisible(o.labels);
        view->setColorBarVisible(o.colorBar);
        m_paint = [view](QCPPainter& p, const QRect& area) { view->paint(p, QRectF(area)); };
        return;
    }
    fail(QStringLiteral("unknown view '%1' (%2)").arg(o.view, ViewExporter::viewNames().join(QStringLiteral(", "))));
}
