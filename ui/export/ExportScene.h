#pragma once
// One view set up off screen for an export, as ExportOptions say: the same view classes the window
// shows (HeatmapView, HeadGridView, LinesView, DiffView, PipelineView, EmbeddingView, OverlayView).
// A long prompt's heatmap, or heads grid, makes its map or tiles on a worker as in the window:
// isPending() until ready() (ViewExportJob waits for it, the window stays live); finish() makes
// them now, in this thread (ViewExporter::render, the headless CLI). GUI thread only.
#include "Computation.h"
#include "ExportOptions.h"

#include <QObject>
#include <QRect>
#include <QString>

#include <functional>
#include <memory>

class QCPPainter;
class QWidget;

class ExportScene : public QObject {
    Q_OBJECT
public:
    // `comparison`: mechanism B's computation for the diff view (ignored otherwise).
    ExportScene(const ComputationPtr& computation, const ComputationPtr& comparison, const ExportOptions& options);
    ~ExportScene() override;

    const ExportOptions& options() const { return m_options; }
    // Why this scene cannot be drawn ("" when it can): a head that is not there, a size out of range,
    // a view that needs another input, a map over the memory budget (known once ready()).
    const QString& error() const { return m_error; }
    bool isPending() const;
    void finish();
    // Draws the view into `area` (the export's size).
    void paint(QCPPainter& painter, const QRect& area);

signals:
    // The map or tiles made on a worker arrived (or could not be made: error() says why).
    void ready();

private:
    void build(const ComputationPtr& computation, const ComputationPtr& comparison);
    void fail(const QString& message);

    ExportOptions m_options;
    QString m_error;
    std::unique_ptr<QWidget> m_view;
    std::function<void(QCPPainter&, const QRect&)> m_paint;
    std::function<bool()> m_pending;
    std::function<void()> m_finish;
};
