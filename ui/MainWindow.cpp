#include "MainWindow.h"

#include "AnalysisBar.h"
#include "AttentionWorker.h"
#include "DetailsPanel.h"
#include "DiffView.h"
#include "EmbeddingView.h"
#include "ErrorBanner.h"
#include "ExportDialog.h"
#include "GenerationBar.h"
#include "HeadGridView.h"
#include "HeadsPage.h"
#include "HeatmapView.h"
#include "ImageDecoder.h"
#include "InputPanel.h"
#include "LinesPage.h"
#include "LinesView.h"
#include "MatrixExportJob.h"
#include "ExportProgress.h"
#include "ViewExportJob.h"
#include "MechanismJson.h"

#include <nlohmann/json.hpp>
#include "MechanismPanel.h"
#include "OverlayPage.h"
#include "OverlayView.h"
#include "PipelinePage.h"
#include "PipelineView.h"
#include "SampleCatalog.h"
#include "SessionIo.h"
#include "TokenViewWorker.h"
#include "ViewControls.h"
#include "ViewExporter.h"

#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMimeData>
#include <QProgressBar>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace {
constexpr int kMaxRecent = 10;
const char* kViewNames[] = {"heatmap", "heads", "lines", "diff", "pipeline", "qk", "overlay"}; // the tabs, in order
constexpr int kOverlayTab = 6;
constexpr int kViewCount = static_cast<int>(std::size(kViewNames));
} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
    , m_worker(new AttentionWorker(this))
    , m_tokenView(new TokenViewWorker(this))
{
    setWindowTitle(QStringLiteral("AttnScope"));
    setAcceptDrops(true);
    // 1400 x 900, or the screen's available area when smaller (a 1366 x 768 laptop).
    const QRect available = screen() ? screen()->availableGeometry() : QRect(0, 0, 1400, 900);
    resize(std::min(1400, available.width()), std::min(900, available.height()));
    buildLayout();
    buildMenus();
    connectParts();
    restoreSettings();
    if (!SampleCatalog::problems().isEmpty())
        showError(SampleCatalog::problems().join(QLatin1Char('\n')));
}

MainWindow::~MainWindow() = default;

void MainWindow::buildLayout()
{
    m_input = new InputPanel;
    m_mechanism = new MechanismPanel;
    auto* left = new QSplitter(Qt::Vertical);
    left->addWidget(m_input);
    auto* mechScroll = new QScrollArea;
    mechScroll->setWidget(m_mechanism);
    mechScroll->setWidgetResizable(true);
    left->addWidget(mechScroll);
    left->setStretchFactor(0, 1);
    left->setStretchFactor(1, 2);
    auto* leftDock = new QDockWidget(tr("Input and mechanism"), this);
    leftDock->setObjectName(QStringLiteral("InputDock"));
    leftDock->setWidget(left);
    addDockWidget(Qt::LeftDockWidgetArea, leftDock);

    m_details = new DetailsPanel;
    auto* rightDock = new QDockWidget(tr("Details"), this);
    rightDock->setObjectName(QStringLiteral("DetailsDock"));
    rightDock->setWidget(m_details);
    addDockWidget(Qt::RightDockWidgetArea, rightDock);

    auto* centre = new QWidget;
    auto* layout = new QVBoxLayout(centre);
    layout->setContentsMargins(0, 0, 0, 0);
    m_banner = new ErrorBanner(centre);
    m_controls = new ViewControls(centre);
    m_views = new QTabWidget(centre);
    m_heatmap = new HeatmapView;
    m_headsPage = new HeadsPage;
    m_heads = m_headsPage->grid();
    m_lines = new LinesPage;
    m_diff = new DiffView;
    m_pipeline = new PipelinePage;
    m_embedding = new EmbeddingView;
    m_analysis = new AnalysisBar(centre);
    m_generation = new GenerationBar(centre);
    m_overlay = new OverlayPage;
    m_views->addTab(m_heatmap, tr("Heatmap"));
    m_views->addTab(m_headsPage, tr("Heads"));
    m_views->addTab(m_lines, tr("Lines"));
    m_views->addTab(m_diff, tr("Diff"));
    m_views->addTab(m_pipeline, tr("Pipeline"));
    m_views->addTab(m_embedding, tr("Q/K"));
    m_views->addTab(m_overlay, tr("Overlay"));
    m_views->setTabVisible(kOverlayTab, false); // shown for image inputs
    layout->addWidget(m_banner);
    layout->addWidget(m_controls);
    layout->addWidget(m_analysis);
    layout->addWidget(m_generation);
    layout->addWidget(m_views, 1);
    setCentralWidget(centre);

    m_shapeLabel = new QLabel(this);
    m_timeLabel = new QLabel(this);
    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 100);
    m_progress->setMaximumWidth(160);
    m_progress->hide();
    m_cancel = new QToolButton(this);
    m_cancel->setText(tr("Cancel"));
    m_cancel->hide();
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancel);
    statusBar()->addPermanentWidget(m_shapeLabel);
    statusBar()->addPermanentWidget(m_timeLabel);
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open…"), QKeySequence::Open, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open"), {},
            tr("Inputs, pictures, sessions and diagrams (*.txt *.md *.csv *.tsv *.npy *.attnscope *.mmd *.%1);;All files (*)")
                .arg(ImageDecoder::fileSuffixes().join(QStringLiteral(" *."))));
        if (!path.isEmpty())
            openPath(path);
    });
    QMenu* samples = file->addMenu(tr("Open &Sample"));
    QString lastKind;
    QMenu* group = nullptr;
    const QMap<QString, QString> groupNames{{QStringLiteral("seed"), tr("Seed examples")},
        {QStringLiteral("text"), tr("Text")}, {QStringLiteral("sequence"), tr("Sequences")},
        {QStringLiteral("image"), tr("Images")}, {QStringLiteral("model"), tr("Real model (stories260K)")},
        {QStringLiteral("diagram"), tr("Diagrams")}};
    for (const auto& s : SampleCatalog::all()) {
        const QString kind = QString::fromStdString(s.kind);
        if (kind != lastKind) {
            group = samples->addMenu(groupNames.value(kind, kind));
            lastKind = kind;
        }
        const QString name = QString::fromStdString(s.name);
        QAction* a = group->addAction(QString::fromStdString(s.title), this, [this, name] { openSample(name); });
        a->setToolTip(QString::fromStdString(s.description));
        a->setStatusTip(QString::fromStdString(s.description));
    }
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    file->addSeparator();
    file->addAction(tr("Open Session…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open session"), {}, tr("AttnScope sessions (*.attnscope)"));
        if (!path.isEmpty())
            if (const QString e = openSession(path); !e.isEmpty())
                showError(e);
    });
    file->addAction(tr("&Save Session…"), QKeySequence::Save, this, [this] {
        QString path = QFileDialog::getSaveFileName(this, tr("Save session"), {}, tr("AttnScope sessions (*.attnscope)"));
        if (path.isEmpty())
            return;
        if (!path.endsWith(QLatin1String(".attnscope")))
            path += QLatin1String(".attnscope");
        if (const QString e = saveSession(path); !e.isEmpty())
            showError(e);
        else
            addRecent(path);
    });
    file->addSeparator();
    file->addAction(tr("&Export…"), QKeySequence(Qt::CTRL | Qt::Key_E), this, &MainWindow::exportInteractively);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    // Zoom acts on the pipeline diagram when it is in front, else on the heatmap.
    auto onPipeline = [this] { return m_views->currentWidget() == m_pipeline; };
    view->addAction(tr("Zoom &In"), QKeySequence::ZoomIn, this,
        [this, onPipeline] { onPipeline() ? m_pipeline->view()->zoomIn() : m_heatmap->zoomIn(); });
    view->addAction(tr("Zoom &Out"), QKeySequence::ZoomOut, this,
        [this, onPipeline] { onPipeline() ? m_pipeline->view()->zoomOut() : m_heatmap->zoomOut(); });
    view->addAction(tr("&Reset Zoom"), QKeySequence(Qt::CTRL | Qt::Key_0), this,
        [this, onPipeline] { onPipeline() ? m_pipeline->view()->resetZoom() : m_heatmap->resetZoom(); });
    view->addSeparator();
    view->addAction(tr("&Next Head"), QKeySequence(Qt::Key_BracketRight), m_controls, &ViewControls::nextHead);
    view->addAction(tr("&Previous Head"), QKeySequence(Qt::Key_BracketLeft), m_controls, &ViewControls::previousHead);
    view->addSeparator();
    view->addAction(tr("Recompute"), QKeySequence::Refresh, this, [this] {
        m_worker->computeNow(m_input->spec(), m_mechanism->mechanism());
    });

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About AttnScope"), this, [this] {
        m_banner->showInfo(tr("AttnScope %1 — attention, computed and shown. Qt %2.")
                               .arg(QApplication::applicationVersion(), QString::fromLatin1(qVersion())));
    });
}

void MainWindow::connectParts()
{
    connect(m_input, &InputPanel::inputChanged, this, &MainWindow::requestCompute);
    // A checkpoint brings its own mechanism: the engine's options do not apply to it.
    connect(m_input, &InputPanel::inputChanged, this,
        [this] {
            const attn::InputSpec spec = m_input->spec();
            m_mechanism->setEnabled(spec.kind != attn::InputKind::Model && spec.modelPath.empty());
        });
    connect(m_input, &InputPanel::failed, this, &MainWindow::showError);
    connect(m_mechanism, &MechanismPanel::mechanismChanged, this, &MainWindow::requestCompute);
    // Every result passes through the token view (drop special/sink tokens, merge words, rollout).
    connect(m_worker, &AttentionWorker::finished, m_tokenView, &TokenViewWorker::setSource);
    connect(m_tokenView, &TokenViewWorker::ready, this, [this](ComputationPtr view, ComputationPtr rollout) {
        m_rollout = std::move(rollout);
        showComputation(std::move(view));
    });
    connect(m_tokenView, &TokenViewWorker::failed, this, &MainWindow::showError);
    connect(m_analysis, &AnalysisBar::optionsChanged, this, [this] {
        m_diff->setTokenOptions(m_analysis->tokenOptions());
        m_tokenView->setOptions(m_analysis->tokenOptions(), m_analysis->rollout());
    });
    connect(m_embedding, &EmbeddingView::tokenSelected, this, [this](int position) {
        if (!m_current || position >= m_current->result->queryCount)
            return;
        m_heatmap->selectQuery(position);
        m_details->setSelectedQuery(position);
    });
    connect(m_generation, &GenerationBar::stepped, this, [this](const attn::InputSpec& spec) {
        m_loading = true;
        m_input->setSpec(spec);
        m_loading = false;
        m_selectLastRow = true;
        m_worker->computeNow(spec, m_mechanism->mechanism());
    });
    connect(m_generation, &GenerationBar::failed, this, &MainWindow::showError);
    connect(m_worker, &AttentionWorker::failed, this, &MainWindow::showError);
    connect(m_worker, &AttentionWorker::started, this, [this] {
        m_progress->setValue(0);
        m_progress->show();
        m_cancel->show();
    });
    connect(m_worker, &AttentionWorker::progress, this, [this](double f) { m_progress->setValue(qRound(f * 100)); });
    connect(m_worker, &AttentionWorker::cancelled, this, [this] {
        m_progress->hide();
        m_cancel->hide();
        statusBar()->showMessage(tr("Cancelled"), 3000);
    });
    connect(m_cancel, &QToolButton::clicked, m_worker, &AttentionWorker::cancel);
    connect(m_controls, &ViewControls::headChanged, this, &MainWindow::applyHead);
    connect(m_controls, &ViewControls::colorMapChanged, this, &MainWindow::applyColorMap);
    connect(m_controls, &ViewControls::rangeChanged, this, &MainWindow::applyRange);
    connect(m_heads, &HeadGridView::headActivated, this, [this](int layer, int head) {
        m_controls->setHead(layer, head);
        applyHead(layer, head);
        m_views->setCurrentWidget(m_heatmap);
    });
    connect(m_heatmap, &HeatmapView::querySelected, m_details, &DetailsPanel::setSelectedQuery);
    connect(m_heatmap, &HeatmapView::cellHovered, m_details, &DetailsPanel::setHoveredCell);
    connect(m_heatmap, &HeatmapView::failed, this, &MainWindow::showError);
    connect(m_diff, &DiffView::failed, this, &MainWindow::showError);
    // A pipeline node bound to a stage shows that stage's tensor; anything else, the weights again.
    connect(m_pipeline, &PipelinePage::stageSelected, this, [this](const QString& stage) {
        const auto tensor = m_current && !stage.isEmpty() ? m_current->result->stage(stage.toStdString()) : std::nullopt;
        // The generated diagram's head_<h> nodes show their own head of the per-head stage.
        const QString node = m_pipeline->view()->selectedNode();
        bool isHead = false;
        const int head = node.startsWith(QLatin1String("head_")) ? node.mid(5).toInt(&isHead) : -1;
        if (tensor)
            m_details->showStage(*tensor, isHead ? head : -1);
        else
            m_details->clearStage();
    });
    connect(m_heatmap, &HeatmapView::querySelected, m_details, &DetailsPanel::clearStage);
    // The overlay's query patch and the heatmap's query row are one selection.
    connect(m_heatmap, &HeatmapView::querySelected, m_overlay->view(), &OverlayView::selectQuery);
    connect(m_overlay->view(), &OverlayView::querySelected, this, [this](int query) {
        m_heatmap->selectQuery(query);
        m_details->setSelectedQuery(query);
    });
}

bool MainWindow::openSample(const QString& name)
{
    const auto sample = SampleCatalog::find(name);
    if (!sample) {
        showError(tr("There is no sample named '%1'.").arg(name));
        return false;
    }
    m_loading = true;
    m_input->setSpec(sample->input);
    m_mechanism->setMechanism(sample->mechanism);
    m_loading = false;
    setWindowTitle(tr("AttnScope — %1").arg(QString::fromStdString(sample->title)));
    if (!sample->diagram.empty()) { // a diagram sample: its diagram in the Pipeline tab, bound when computed
        m_pipeline->showBundled(SampleCatalog::diagramResource(*sample));
        m_views->setCurrentWidget(m_pipeline);
    }
    m_worker->computeNow(sample->input, sample->mechanism);
    return true;
}

bool MainWindow::openPath(const QString& path)
{
    if (path.endsWith(QLatin1String(".attnscope"), Qt::CaseInsensitive)) {
        const QString error = openSession(path);
        if (!error.isEmpty()) {
            showError(error);
            return false;
        }
        addRecent(path);
        return true;
    }
    if (path.endsWith(QLatin1String(".mmd"), Qt::CaseInsensitive) || path.endsWith(QLatin1String(".mermaid"), Qt::CaseInsensitive)) {
        // A Mermaid flowchart: the Pipeline tab shows it (a syntax error shows under its editor).
        QString error;
        if (!m_pipeline->openFile(path, &error)) {
            showError(error);
            return false;
        }
        m_views->setCurrentWidget(m_pipeline);
        addRecent(path);
        return true;
    }
    if (!InputPanel::isInputFile(path)) {
        showError(tr("'%1' is not a file AttnScope opens (text .txt/.md, sequences .csv/.tsv/.npy, pictures .%2, "
                     "sessions .attnscope)")
                      .arg(QFileInfo(path).fileName(), ImageDecoder::fileSuffixes().join(QStringLiteral("/."))));
        return false;
    }
    QString error;
    if (!m_input->openFile(path, &error)) {
        showError(error);
        return false;
    }
    addRecent(path);
    setWindowTitle(tr("AttnScope — %1").arg(QFileInfo(path).fileName()));
    return true;
}

attn::Session MainWindow::session() const
{
    attn::Session s;
    s.input = m_input->spec();
    s.mechanism = m_mechanism->mechanism();
    s.view.view = kViewNames[std::clamp(m_views->currentIndex(), 0, kViewCount - 1)];
    s.view.layer = m_controls->layer();
    s.view.head = m_controls->head();
    s.view.colormap = m_controls->colorMap().toStdString();
    s.view.range = m_controls->range().toStdString();
    s.view.selectedQuery = m_heatmap->selectedQuery();
    s.view.compare = m_diff->comparison();
    s.view.tokens = m_analysis->tokenOptions();
    s.view.rollout = m_analysis->rollout();
    return s;
}

void MainWindow::showView(const QString& name)
{
    for (int i = 0; i < kViewCount; ++i)
        if (name == QLatin1String(kViewNames[i]))
            m_views->setCurrentIndex(i);
}

QString MainWindow::saveSession(const QString& path) { return SessionIo::save(path, session()); }

QString MainWindow::openSession(const QString& path)
{
    QString error;
    const auto s = SessionIo::load(path, &error);
    if (!s)
        return error;
    m_loading = true;
    m_input->setSpec(s->input);
    m_mechanism->setMechanism(s->mechanism);
    m_controls->setColorMap(QString::fromStdString(s->view.colormap));
    m_controls->setRange(QString::fromStdString(s->view.range));
    m_loading = false;
    for (int i = 0; i < kViewCount; ++i)
        if (s->view.view == kViewNames[i])
            m_views->setCurrentIndex(i);
    const int layer = s->view.layer, head = s->view.head, query = s->view.selectedQuery;
    // Restore the head and selection once the result is there.
    auto* once = new QObject(this);
    connect(m_worker, &AttentionWorker::finished, once, [this, once, layer, head, query] {
        m_controls->setHead(layer, head);
        applyHead(layer, head);
        if (query >= 0) {
            m_heatmap->selectQuery(query);
            m_details->setSelectedQuery(query);
        }
        once->deleteLater();
    });
    connect(m_worker, &AttentionWorker::failed, once, &QObject::deleteLater);
    m_diff->setComparison(s->view.compare);
    m_analysis->setOptions(s->view.tokens, s->view.rollout);
    m_worker->computeNow(s->input, s->mechanism);
    setWindowTitle(tr("AttnScope — %1").arg(QFileInfo(path).fileName()));
    return {};
}

void MainWindow::requestCompute()
{
    if (m_loading)
        return;
    const attn::InputSpec spec = m_input->spec();
    if (spec.kind == attn::InputKind::Image && spec.path.empty())
        return; // the Image tab without a picture yet: nothing to compute, nothing wrong
    m_worker->request(spec, m_mechanism->mechanism());
}

void MainWindow::showComputation(ComputationPtr computation)
{
    m_current = computation;
    m_banner->dismiss();
    m_progress->hide();
    m_cancel->hide();
    const auto& r = *computation->result;
    m_controls->setShape(r.layers, r.heads);
    const int layer = m_controls->layer(), head = m_controls->head();
    m_heatmap->setComputation(computation);
    m_heatmap->setHead(layer, head);
    m_heads->setComputation(computation);
    m_heads->setCurrent(layer, head);
    m_lines->setComputation(computation);
    m_lines->setLayer(layer);
    m_details->setComputation(computation);
    m_details->setHead(layer, head);
    m_diff->setComputation(computation);
    m_diff->setHead(layer, head);
    m_pipeline->setComputation(computation);
    m_embedding->setComputation(computation);
    m_embedding->setHead(layer, head);
    m_generation->setComputation(computation);
    if (m_rollout) {
        m_heatmap->setComputation(m_rollout);
        m_heatmap->setHead(0, 0);
    }
    m_heatmap->setTitle(m_rollout ? tr("Attention rollout over %1 layers").arg(r.layers) : QString());
    if (m_selectLastRow) {
        m_selectLastRow = false;
        m_heatmap->selectQuery(r.queryCount - 1);
        m_details->setSelectedQuery(r.queryCount - 1);
    }
    const bool picture = r.gridRows > 0;
    const bool wasPicture = m_views->isTabVisible(kOverlayTab);
    m_overlay->setComputation(computation);
    m_overlay->view()->setHead(layer, head);
    m_views->setTabVisible(kOverlayTab, picture);
    if (picture && !wasPicture)
        m_views->setCurrentIndex(kOverlayTab); // a picture was opened: show it
    m_shapeLabel->setText(tr("%1 × %2 · %3 head(s)%4").arg(r.queryCount).arg(r.keyCount).arg(r.heads).arg(
        r.layers > 1 ? tr(" · %1 layers").arg(r.layers) : QString()));
    m_timeLabel->setText(tr("compute %1 ms · render %2 ms")
                             .arg(r.computeMilliseconds, 0, 'f', 1)
                             .arg(m_heatmap->lastRenderMilliseconds(), 0, 'f', 1));
    for (const auto& w : r.warnings)
        m_banner->showInfo(QString::fromStdString(w));
    if (!r.source.empty() && r.nextToken.empty()) // a model with no next token (BERT, ViT)
        statusBar()->showMessage(QString::fromStdString(r.source));
    else if (!r.source.empty())
        statusBar()->showMessage(tr("%1 · next token: “%2” (p = %3)")
                                     .arg(QString::fromStdString(r.source), QString::fromStdString(r.nextToken))
                                     .arg(static_cast<double>(r.nextTokenProbability), 0, 'f', 3));
    else
        statusBar()->showMessage(QString::fromStdString(attn::describe(r.mechanism)));
}

void MainWindow::showError(const QString& message)
{
    m_progress->hide();
    m_cancel->hide();
    m_banner->showError(message);
}

void MainWindow::applyHead(int layer, int head)
{
    if (!m_rollout) // the rollout map is one map over every layer and head
        m_heatmap->setHead(layer, head);
    m_embedding->setHead(layer, head);
    m_heads->setCurrent(layer, head);
    m_lines->setLayer(layer);
    m_details->setHead(layer, head);
    m_diff->setHead(layer, head);
    m_overlay->view()->setHead(layer, head);
}

void MainWindow::applyColorMap(const QString& name)
{
    m_heatmap->setColorMap(name);
    m_overlay->view()->setColorMap(name);
    m_heads->setColorMap(name);
    m_diff->setColorMap(name);
    m_embedding->setColorMap(name);
}

void MainWindow::applyRange(const QString& range)
{
    HeatmapView::RangeMode mode = HeatmapView::RangeMode::PerHead;
    if (range == QLatin1String("fixed"))
        mode = HeatmapView::RangeMode::Fixed;
    else if (range == QLatin1String("shared"))
        mode = HeatmapView::RangeMode::Shared;
    else if (range == QLatin1String("log"))
        mode = HeatmapView::RangeMode::Log;
    m_heatmap->setRangeMode(mode);
}

ExportOptions MainWindow::exportDefaults() const
{
    ExportOptions o;
    o.view = QString::fromLatin1(kViewNames[std::clamp(m_views->currentIndex(), 0, kViewCount - 1)]);
    o.layer = m_controls->layer();
    o.head = m_controls->head();
    o.colormap = m_controls->colorMap();
    o.range = m_controls->range();
    o.mermaid = m_pipeline->diagramSource();
    o.overlayMode = OverlayView::modeName(m_overlay->view()->mode());
    o.query = m_overlay->view()->selectedQuery();
    o.opacity = m_overlay->view()->opacity();
    o.grid = m_overlay->view()->isGridVisible();
    o.qkTsne = m_embedding->layoutBox()->currentIndex() == 1;
    return o;
}

void MainWindow::exportInteractively()
{
    if (!m_current) {
        showError(tr("Nothing to export yet: the computation has not finished."));
        return;
    }
    ExportDialog dialog(exportDefaults(), this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const ExportOptions o = dialog.options();
    const QString path = dialog.path();
    if (dialog.isMatrix())
        exportMatrixInBackground(path, o.layer, o.head);
    else
        exportPicturesInBackground(path, o,
            dialog.heads() == ExportDialog::Heads::EachHeadOneFile && o.view != QLatin1String("heads")
                && o.view != QLatin1String("pipeline"));
}

ExportJob* MainWindow::exportPicturesInBackground(const QString& path, const ExportOptions& options, bool eachHead)
{
    // A long prompt's maps are made on workers and the files encoded there; the window stays live.
    auto items = eachHead ? ViewExportJob::eachHead(path, options, m_current ? m_current->result->heads : 0)
                          : std::vector<ViewExportJob::Item>{{path, options}};
    return startExport(new ViewExportJob(std::move(items), m_current, m_diff->viewB()->computation(), this));
}

ExportJob* MainWindow::exportMatrixInBackground(const QString& path, int layer, int head)
{
    // On a worker (a long prompt's .npy is tens of GB written head by head).
    return startExport(new MatrixExportJob(path, m_current, layer, head, this));
}

ExportJob* MainWindow::startExport(ExportJob* job)
{
    // Behind its progress dialog; the message when it ends.
    new ExportProgress(job, this);
    connect(job, &ExportJob::finished, this, [this, job](const QString& error) {
        job->deleteLater();
        if (!error.isEmpty())
            showError(error);
        else
            statusBar()->showMessage(tr("Exported %1").arg(job->path()), 5000);
    });
    job->start();
    return job;
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    const auto urls = event->mimeData()->urls();
    if (!urls.isEmpty() && urls.front().isLocalFile())
        openPath(urls.front().toLocalFile());
}

void MainWindow::addRecent(const QString& path)
{
    m_recent.removeAll(path);
    m_recent.prepend(path);
    while (m_recent.size() > kMaxRecent)
        m_recent.removeLast();
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    for (const QString& path : m_recent)
        m_recentMenu->addAction(QFileInfo(path).fileName(), this, [this, path] { openPath(path); })->setToolTip(path);
    m_recentMenu->setEnabled(!m_recent.isEmpty());
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    m_recent = settings.value(QStringLiteral("recent")).toStringList();
    rebuildRecentMenu();
    m_controls->setColorMap(settings.value(QStringLiteral("view/colormap"), QStringLiteral("viridis")).toString());
    m_controls->setRange(settings.value(QStringLiteral("view/range"), QStringLiteral("per-head")).toString());
    applyColorMap(m_controls->colorMap());
    applyRange(m_controls->range());
    m_views->setCurrentIndex(settings.value(QStringLiteral("view/tab"), 0).toInt());
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("recent"), m_recent);
    settings.setValue(QStringLiteral("view/colormap"), m_controls->colorMap());
    settings.setValue(QStringLiteral("view/range"), m_controls->range());
    settings.setValue(QStringLiteral("view/tab"), m_views->currentIndex());
    settings.setValue(QStringLiteral("mechanism/last"),
        QString::fromStdString(attn::MechanismJson::toJson(m_mechanism->mechanism()).dump()));
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    saveSettings();
    event->accept();
}
