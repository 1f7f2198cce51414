#include "DiffView.h"

#include "AttentionWorker.h"
#include "HeatmapView.h"
#include "TokenViewWorker.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>

namespace {
QComboBox* combo(QWidget* parent, const QStringList& values)
{
    auto* box = new QComboBox(parent);
    for (const QString& v : values)
        box->addItem(v, v);
    return box;
}
} // namespace

DiffView::DiffView(QWidget* parent)
    : QWidget(parent)
    , m_worker(new AttentionWorker(this))
    , m_a(new HeatmapView(this))
    , m_b(new HeatmapView(this))
    , m_diff(new HeatmapView(this))
{
    m_worker->setDebounce(50);
    auto* layout = new QVBoxLayout(this);
    auto* bar = new QHBoxLayout;
    m_score = combo(this, {QStringLiteral("dot"), QStringLiteral("scaled-dot"), QStringLiteral("additive"),
                              QStringLiteral("bilinear"), QStringLiteral("cosine")});
    m_norm = combo(this, {QStringLiteral("softmax"), QStringLiteral("sigmoid"), QStringLiteral("ratio")});
    m_scope = combo(this, {QStringLiteral("global"), QStringLiteral("local"), QStringLiteral("hybrid")});
    m_status = new QLabel(this);
    // A message never widens the window: it elides into the room left (full text as tooltip).
    m_status->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    auto* compare = new QLabel(tr("B:"), this);
    compare->setToolTip(tr("Compare A (the current mechanism) with B"));
    bar->addWidget(compare);
    bar->addWidget(new QLabel(tr("score"), this));
    bar->addWidget(m_score);
    bar->addWidget(new QLabel(tr("normaliser"), this));
    bar->addWidget(m_norm);
    bar->addWidget(new QLabel(tr("scope"), this));
    bar->addWidget(m_scope);
    bar->addWidget(m_status, 1);
    layout->addLayout(bar);
    auto* grid = new QGridLayout;
    grid->addWidget(m_a, 0, 0);
    grid->addWidget(m_b, 0, 1);
    grid->addWidget(m_diff, 0, 2);
    layout->addLayout(grid, 1);
    m_a->setTitle(tr("A"));
    m_b->setTitle(tr("B"));
    m_diff->setTitle(tr("A − B"));

    for (QComboBox* box : {m_score, m_norm, m_scope})
        connect(box, &QComboBox::activated, this, [this] {
            m_userChose = true;
            recompute();
        });
    m_tokenView = new TokenViewWorker(this);
    connect(m_worker, &AttentionWorker::finished, m_tokenView, &TokenViewWorker::setSource);
    connect(m_tokenView, &TokenViewWorker::ready, this, [this](ComputationPtr b, ComputationPtr) { showB(std::move(b)); });
    connect(m_worker, &AttentionWorker::failed, this, [this](const QString& message) {
        m_status->setText(tr("B failed: %1").arg(message));
        m_status->setToolTip(m_status->text());
        emit failed(tr("Diff view, mechanism B: %1").arg(message));
    });
}

attn::Mechanism DiffView::defaultComparison(const attn::Mechanism& a)
{
    attn::Mechanism b = a;
    b.score = a.score == attn::ScoreKind::Additive ? attn::ScoreKind::ScaledDot : attn::ScoreKind::Additive;
    return b;
}

attn::Mechanism DiffView::comparison() const
{
    attn::Mechanism b = m_computationA ? m_computationA->mechanism : attn::Mechanism{};
    b.score = *attn::parseScoreKind(m_score->currentData().toString().toStdString());
    b.norm = *attn::parseNormKind(m_norm->currentData().toString().toStdString());
    b.scope = *attn::parseScopeKind(m_scope->currentData().toString().toStdString());
    return b;
}

void DiffView::setComparison(const attn::Mechanism& b)
{
    m_score->setCurrentIndex(m_score->findData(QString::fromLatin1(attn::toString(b.score))));
    m_norm->setCurrentIndex(m_norm->findData(QString::fromLatin1(attn::toString(b.norm))));
    m_scope->setCurrentIndex(m_scope->findData(QString::fromLatin1(attn::toString(b.scope))));
    m_userChose = true;
    recompute();
}

void DiffView::setComputation(ComputationPtr a)
{
    m_computationA = std::move(a);
    if (!m_userChose && m_computationA) {
        const attn::Mechanism b = defaultComparison(m_computationA->mechanism);
        m_score->setCurrentIndex(m_score->findData(QString::fromLatin1(attn::toString(b.score))));
        m_norm->setCurrentIndex(m_norm->findData(QString::fromLatin1(attn::toString(b.norm))));
        m_scope->setCurrentIndex(m_scope->findData(QString::fromLatin1(attn::toString(b.scope))));
    }
    m_a->setComputation(m_computationA);
    recompute();
}

void DiffView::setComputations(ComputationPtr a, ComputationPtr b)
{
    m_computationA = std::move(a);
    m_a->setComputation(m_computationA);
    showB(std::move(b));
}

void DiffView::setTokenOptions(const attn::TokenViewOptions& options)
{
    m_tokenView->setOptions(options, std::nullopt);
}

void DiffView::recompute()
{
    if (!m_computationA)
        return;
    if (m_computationA->input.kind == attn::InputKind::Model) {
        // A checkpoint's attention is fixed by its weights: mechanism B would run the same forward
        // again (a long prompt: tens of seconds and GBs) for the same maps.
        m_status->setText(tr("a checkpoint's attention is set by its weights: compare mechanisms on text or sequences"));
        return;
    }
    m_status->setText(tr("computing B…"));
    m_worker->request(m_computationA->input, comparison());
}

void DiffView::showB(ComputationPtr b)
{
    m_computationB = std::move(b);
    m_status->setText(QString::fromStdString(attn::describe(m_computationB->mechanism)));
    m_b->setComputation(m_computationB);
    m_diff->setDifference(m_computationA, m_computationB);
}

void DiffView::setHead(int layer, int head)
{
    m_a->setHead(layer, head);
    m_b->setHead(layer, head);
    m_diff->setHead(layer, head);
}

void DiffView::setColorMap(const QString& name)
{
    m_a->setColorMap(name);
    m_b->setColorMap(name);
}

void DiffView::render(QCPPainter& painter, const QRect& area)
{
    const int w = area.width() / 3;
    int x = area.left();
    for (HeatmapView* view : {m_a, m_b, m_diff}) {
        painter.save();
        painter.translate(x, area.top());
        view->plot()->toPainter(&painter, w, area.height());
        painter.restore();
        x += w;
    }
}
