#include "EmbeddingView.h"

#include "BackgroundPool.h"
#include "ColorMap.h"
#include "TsneEmbedding.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QToolTip>
#include <QVBoxLayout>
#include <QtConcurrent>
#include <qcustomplot.h>

#include <cmath>
#include <memory>

namespace {
constexpr int kColourBins = 24; // one scatter graph per colour bin and role
constexpr double kPickRadius = 8.0;
} // namespace

EmbeddingView::EmbeddingView(QWidget* parent)
    : QWidget(parent)
    , m_plot(new QCustomPlot(this))
    , m_info(new QLabel(this))
    , m_translate(new QCheckBox(tr("translate keys to the queries' centroid"), this))
    , m_layoutBox(new QComboBox(this))
{
    m_translate->setChecked(true);
    m_translate->setToolTip(
        tr("K ← K − mean(K) + mean(Q): no attention weight changes (softmax ignores a per-row shift)"));
    m_layoutBox->addItem(tr("PCA"));
    m_layoutBox->addItem(tr("t-SNE"));
    m_layoutBox->setToolTip(tr("PCA keeps directions of largest variance; t-SNE keeps neighbourhoods (exact, up to %1 points)")
                                .arg(attn::TsneEmbedding::kMaxPoints));
    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(4, 2, 4, 2);
    bar->addWidget(m_info, 1);
    bar->addWidget(m_layoutBox);
    bar->addWidget(m_translate);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_plot, 1);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->legend->setVisible(false);
    connect(m_translate, &QCheckBox::toggled, this, &EmbeddingView::rebuild);
    connect(m_layoutBox, &QComboBox::currentIndexChanged, this, &EmbeddingView::rebuild);
    connect(m_plot, &QCustomPlot::mouseMove, this, &EmbeddingView::onMouseMove);
    connect(m_plot, &QCustomPlot::mousePress, this, &EmbeddingView::onMousePress);
    rebuild();
}

void EmbeddingView::setComputation(ComputationPtr computation)
{
    m_computation = std::move(computation);
    rebuild();
}

void EmbeddingView::setHead(int layer, int head)
{
    if (layer == m_layer && head == m_head)
        return;
    m_layer = layer;
    m_head = head;
    rebuild();
}

void EmbeddingView::setColorMap(const QString& name)
{
    m_colorMap = name;
    rebuild();
}

QString EmbeddingView::message() const
{
    return m_info->text();
}

void EmbeddingView::setFigureDecorations(bool title, bool labels)
{
    m_title = title;
    m_pointLabels = labels;
    rebuild();
}

void EmbeddingView::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_stale)
        rebuild();
}

void EmbeddingView::rebuild()
{
    // A hidden tab does no work for a long prompt: its thousands of queries and keys (0.2 s for
    // 8 192 points) would hold up the window for each new result nobody looks at. Exports
    // (synchronous) always build.
    m_stale = !isVisible() && !m_synchronous && m_computation
        && m_computation->result->queryCount + m_computation->result->keyCount > kDeferPoints;
    if (m_stale) {
        ++m_generation; // a running t-SNE is stale too
        m_computing = false;
        m_points.reset();
        m_plot->clearGraphs();
        m_plot->clearItems();
        return;
    }
    m_plot->clearGraphs();
    m_plot->clearItems();
    if (m_plot->plotLayout()->rowCount() > 1) { // a title row from the last rebuild
        m_plot->plotLayout()->removeAt(0);
        m_plot->plotLayout()->simplify();
    }
    m_points.reset();
    const quint64 generation = ++m_generation; // any running t-SNE is now stale
    m_computing = false;
    if (!m_computation) {
        m_info->setText(tr("No attention computed yet"));
        m_plot->replot();
        return;
    }
    const auto& r = *m_computation->result;
    if (m_head < 0) {
        m_info->setText(tr("Choose one head (not the mean of heads) to see its queries and keys"));
        m_plot->replot();
        return;
    }
    if (m_layoutBox->currentIndex() == 0 || m_synchronous) {
        showPoints(attn::QueryKeyProjection::forHead(r, m_layer, m_head, m_translate->isChecked(),
            m_layoutBox->currentIndex() == 0 ? attn::QkLayout::Pca : attn::QkLayout::Tsne));
        return;
    }
    // t-SNE takes up to a few seconds on thousands of points: off the GUI thread; a newer request
    // (another head, result or option) supersedes a running one.
    m_computing = true;
    m_info->setText(tr("Computing t-SNE of %1 queries and keys…").arg(r.queryCount + r.keyCount));
    m_plot->replot();
    using Points = attn::Expected<attn::QueryKeyPoints>;
    auto* watcher = new QFutureWatcher<std::shared_ptr<Points>>(this);
    connect(watcher, &QFutureWatcher<std::shared_ptr<Points>>::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (generation != m_generation)
            return;
        m_computing = false;
        showPoints(*watcher->result());
        emit layoutReady();
    });
    watcher->setFuture(BackgroundPool::run([computation = m_computation, layer = m_layer, head = m_head,
                                             translate = m_translate->isChecked()] {
        return std::make_shared<Points>(attn::QueryKeyProjection::forHead(
            *computation->result, layer, head, translate, attn::QkLayout::Tsne));
    }));
}

void EmbeddingView::showPoints(const attn::Expected<attn::QueryKeyPoints>& p)
{
    if (!p) {
        m_info->setText(QString::fromStdString(p.error()));
        m_plot->replot();
        return;
    }
    m_points = *p;
    const ColorMap colors = ColorMap::byName(m_colorMap);
    // Graphs per (role, colour bin): QCPGraph has one scatter style per graph.
    std::vector<QCPGraph*> graphs(2 * kColourBins, nullptr);
    const int total = m_points->queries + m_points->keys;
    for (int i = 0; i < total; ++i) {
        const bool isKey = i >= m_points->queries;
        const int position = isKey ? i - m_points->queries : i;
        const int count = isKey ? m_points->keys : m_points->queries;
        const double t = count > 1 ? static_cast<double>(position) / (count - 1) : 0.0;
        const int bin = std::min(kColourBins - 1, static_cast<int>(t * kColourBins));
        QCPGraph*& g = graphs[static_cast<size_t>((isKey ? kColourBins : 0) + bin)];
        if (!g) {
            g = m_plot->addGraph();
            g->setLineStyle(QCPGraph::lsNone);
            const QColor c = QColor::fromRgb(colors.color((bin + 0.5) / kColourBins));
            g->setScatterStyle(QCPScatterStyle(isKey ? QCPScatterStyle::ssTriangle : QCPScatterStyle::ssDisc,
                isKey ? QPen(c, 2) : QPen(c.darker(130)), isKey ? QBrush(Qt::NoBrush) : QBrush(c), 9));
        }
        g->addData(m_points->x[static_cast<size_t>(i)], m_points->y[static_cast<size_t>(i)]);
    }
    if (m_points->tsne) {
        m_plot->xAxis->setLabel(tr("t-SNE 1"));
        m_plot->yAxis->setLabel(tr("t-SNE 2"));
    } else {
        m_plot->xAxis->setLabel(tr("PC1 (%1% of variance)").arg(100.0 * m_points->explained[0], 0, 'f', 1));
        m_plot->yAxis->setLabel(tr("PC2 (%1% of variance)").arg(100.0 * m_points->explained[1], 0, 'f', 1));
    }
    m_plot->rescaleAxes();
    for (QCPAxis* axis : { m_plot->xAxis, m_plot->yAxis }) {
        QCPRange range = axis->range();
        const double pad = std::max(1e-6, range.size() * 0.06);
        axis->setRange(range.lower - pad, range.upper + pad);
    }
    m_info->setText(
        tr("Layer %1, head %2: %3 queries (●) and %4 keys (▲), colour = position (first dark, last bright)")
            .arg(m_layer)
            .arg(m_head)
            .arg(m_points->queries)
            .arg(m_points->keys));
    if (m_title) {
        m_plot->plotLayout()->insertRow(0);
        auto* title = new QCPTextElement(m_plot, m_info->text(), QFont(m_plot->font().family(), 11));
        m_plot->plotLayout()->addElement(0, 0, title);
    }
    if (m_pointLabels && std::max(m_points->queries, m_points->keys) <= kMaxPointLabels) {
        const auto& r = *m_computation->result;
        QFont font = m_plot->font();
        font.setPointSizeF(7.5);
        for (int i = 0; i < total; ++i) {
            const bool isKey = i >= m_points->queries;
            const int position = isKey ? i - m_points->queries : i;
            const auto& labels = isKey ? r.keyLabels : r.queryLabels;
            if (position >= static_cast<int>(labels.size()))
                continue;
            auto* text = new QCPItemText(m_plot);
            text->position->setCoords(m_points->x[static_cast<size_t>(i)], m_points->y[static_cast<size_t>(i)]);
            text->setPositionAlignment(Qt::AlignLeft | Qt::AlignVCenter);
            text->setPadding(QMargins(7, 0, 0, 0)); // clear of the marker
            text->setText(QString::fromStdString(labels[static_cast<size_t>(position)]));
            text->setFont(font);
            text->setColor(isKey ? QColor(90, 90, 90) : QColor(20, 20, 20));
            text->setClipToAxisRect(true);
        }
    }
    m_plot->replot();
}

QPoint EmbeddingView::pointPosition(int index) const
{
    if (!m_points || index < 0 || index >= m_points->queries + m_points->keys)
        return {};
    const double px = m_plot->xAxis->coordToPixel(m_points->x[static_cast<size_t>(index)]);
    const double py = m_plot->yAxis->coordToPixel(m_points->y[static_cast<size_t>(index)]);
    return m_plot->mapTo(this, QPoint(qRound(px), qRound(py)));
}

int EmbeddingView::pointAt(const QPoint& pos) const
{
    if (!m_points)
        return -1;
    int best = -1;
    double bestDistance = kPickRadius;
    for (int i = 0; i < m_points->queries + m_points->keys; ++i) {
        const QPoint p = pointPosition(i);
        const double d = std::hypot(p.x() - pos.x(), p.y() - pos.y());
        if (d <= bestDistance) {
            bestDistance = d;
            best = i;
        }
    }
    return best;
}

QString EmbeddingView::pointText(int index) const
{
    if (!m_points || !m_computation || index < 0 || index >= m_points->queries + m_points->keys)
        return {};
    const auto& r = *m_computation->result;
    const bool isKey = index >= m_points->queries;
    const int position = isKey ? index - m_points->queries : index;
    const auto& labels = isKey ? r.keyLabels : r.queryLabels;
    const QString label = position < static_cast<int>(labels.size())
        ? QString::fromStdString(labels[static_cast<size_t>(position)])
        : QString();
    return tr("“%1” — %2 at position %3").arg(label, isKey ? tr("key") : tr("query")).arg(position);
}

void EmbeddingView::onMouseMove(QMouseEvent* event)
{
    const int index = pointAt(m_plot->mapTo(this, event->pos()));
    if (index < 0) {
        QToolTip::hideText();
        return;
    }
    QToolTip::showText(event->globalPosition().toPoint(), pointText(index), m_plot);
}

void EmbeddingView::onMousePress(QMouseEvent* event)
{
    const int index = pointAt(m_plot->mapTo(this, event->pos()));
    if (index < 0 || !m_points)
        return;
    emit tokenSelected(index >= m_points->queries ? index - m_points->queries : index);
}
