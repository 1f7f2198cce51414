#pragma once
// The composition root of the desktop app: creates the panels, views and worker, and connects
// them. Input and Mechanism panels on the left, the views in the centre (Heatmap, Heads, Lines,
// Diff, Pipeline, and Overlay for pictures), Details on the right, an inline error banner, and a status bar.
#include "Computation.h"
#include "ExportOptions.h"

#include <QMainWindow>

class AnalysisBar;
class AttentionWorker;
class EmbeddingView;
class GenerationBar;
class HeadsPage;
class TokenViewWorker;
class DetailsPanel;
class DiffView;
class PipelinePage;
class ErrorBanner;
class ExportJob;
class HeadGridView;
class HeatmapView;
class InputPanel;
class LinesPage;
class MechanismPanel;
class OverlayPage;
class QLabel;
class QMenu;
class QProgressBar;
class QTabWidget;
class QToolButton;
class ViewControls;
namespace attn {
struct Session;
}

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens a bundled sample, an input file (.txt, .csv, .npy) or a session (.attnscope).
    bool openSample(const QString& name);
    bool openPath(const QString& path);
    QString saveSession(const QString& path); // empty on success
    QString openSession(const QString& path);
    attn::Session session() const;
    // Brings a view to the front by name: heatmap, heads, lines, diff, pipeline, overlay.
    void showView(const QString& name);
    // File > Export, each behind a progress dialog with Cancel; the job deletes itself when it ends
    // (its finished() comes first). The matrix: the current result's weights (.npy every map, .csv
    // one head, .json) written on a worker (MatrixExportJob). A picture (.png/.svg/.pdf), or one per
    // head of options.layer: ViewExportJob (a long prompt's maps made and the files encoded on workers).
    ExportJob* exportMatrixInBackground(const QString& path, int layer, int head);
    ExportJob* exportPicturesInBackground(const QString& path, const ExportOptions& options, bool eachHead);

    ComputationPtr current() const { return m_current; }
    AttentionWorker* worker() const { return m_worker; }
    HeatmapView* heatmap() const { return m_heatmap; }
    HeadGridView* headGrid() const { return m_heads; }
    LinesPage* linesPage() const { return m_lines; }
    DiffView* diffView() const { return m_diff; }
    PipelinePage* pipelinePage() const { return m_pipeline; }
    OverlayPage* overlayPage() const { return m_overlay; }
    DetailsPanel* details() const { return m_details; }
    InputPanel* inputPanel() const { return m_input; }
    MechanismPanel* mechanismPanel() const { return m_mechanism; }
    ErrorBanner* errorBanner() const { return m_banner; }
    ViewControls* viewControls() const { return m_controls; }
    QTabWidget* views() const { return m_views; }
    AnalysisBar* analysisBar() const { return m_analysis; }
    EmbeddingView* embeddingView() const { return m_embedding; }
    GenerationBar* generationBar() const { return m_generation; }
    HeadsPage* headsPage() const { return m_headsPage; }
    TokenViewWorker* tokenViewWorker() const { return m_tokenView; }

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void closeEvent(QCloseEvent* event) override;

private:
    void buildLayout();
    void buildMenus();
    void connectParts();
    void requestCompute();
    void showComputation(ComputationPtr computation);
    void showError(const QString& message);
    void applyHead(int layer, int head);
    void applyColorMap(const QString& name);
    void applyRange(const QString& range);
    void exportInteractively();
    ExportJob* startExport(ExportJob* job);
    void addRecent(const QString& path);
    void rebuildRecentMenu();
    void restoreSettings();
    void saveSettings() const;
    ExportOptions exportDefaults() const;

    AttentionWorker* m_worker = nullptr;
    InputPanel* m_input = nullptr;
    MechanismPanel* m_mechanism = nullptr;
    DetailsPanel* m_details = nullptr;
    ErrorBanner* m_banner = nullptr;
    ViewControls* m_controls = nullptr;
    QTabWidget* m_views = nullptr;
    HeatmapView* m_heatmap = nullptr;
    HeadGridView* m_heads = nullptr;
    LinesPage* m_lines = nullptr;
    DiffView* m_diff = nullptr;
    PipelinePage* m_pipeline = nullptr;
    HeadsPage* m_headsPage = nullptr;
    EmbeddingView* m_embedding = nullptr;
    AnalysisBar* m_analysis = nullptr;
    GenerationBar* m_generation = nullptr;
    TokenViewWorker* m_tokenView = nullptr;
    ComputationPtr m_rollout;     // the heatmap's map in Rollout mode
    bool m_selectLastRow = false; // after a generation step: select the new token's row
    OverlayPage* m_overlay = nullptr;
    QLabel* m_shapeLabel = nullptr;
    QLabel* m_timeLabel = nullptr;
    QProgressBar* m_progress = nullptr;
    QToolButton* m_cancel = nullptr;
    QMenu* m_recentMenu = nullptr;
    ComputationPtr m_current;
    QStringList m_recent;
    bool m_loading = false; // setting panels programmatically: no recompute per field
};
