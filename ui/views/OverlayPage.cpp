#include "OverlayPage.h"

#include "OverlayView.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QStandardItemModel>
#include <QVBoxLayout>

OverlayPage::OverlayPage(QWidget* parent)
    : QWidget(parent)
    , m_view(new OverlayView(this))
    , m_mode(new QComboBox(this))
    , m_opacity(new QSlider(Qt::Horizontal, this))
    , m_grid(new QCheckBox(tr("Grid"), this))
    , m_readout(new QLabel(this))
{
    m_mode->addItem(tr("One query patch"), QStringLiteral("query"));
    m_mode->addItem(tr("Attention received"), QStringLiteral("received"));
    m_mode->addItem(tr("Spatial map (seed 003)"), QStringLiteral("spatial"));
    m_mode->addItem(tr("Rollout"), QStringLiteral("rollout"));
    m_opacity->setRange(0, 100);
    m_opacity->setValue(qRound(m_view->opacity() * 100));
    m_opacity->setMaximumWidth(160);
    m_opacity->setToolTip(tr("Opacity of the heat layer"));
    m_grid->setChecked(true);
    auto* strip = new QHBoxLayout;
    strip->setContentsMargins(4, 2, 4, 2);
    strip->addWidget(new QLabel(tr("Show"), this));
    strip->addWidget(m_mode);
    strip->addSpacing(12);
    strip->addWidget(new QLabel(tr("Opacity"), this));
    strip->addWidget(m_opacity);
    strip->addWidget(m_grid);
    strip->addSpacing(12);
    strip->addWidget(m_readout, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(strip);
    layout->addWidget(m_view, 1);
    updateModes();

    connect(m_mode, &QComboBox::currentIndexChanged, this, [this] {
        if (const auto mode = OverlayView::parseMode(m_mode->currentData().toString()))
            m_view->setMode(*mode);
    });
    connect(m_opacity, &QSlider::valueChanged, this, [this](int v) { m_view->setOpacity(v / 100.0); });
    connect(m_grid, &QCheckBox::toggled, m_view, &OverlayView::setGridVisible);
    connect(m_view, &OverlayView::cellHovered, this,
        [this](int cell) { m_readout->setText(cell >= 0 ? m_view->tooltipFor(cell) : QString()); });
}

void OverlayPage::setComputation(ComputationPtr computation)
{
    m_view->setComputation(std::move(computation));
    updateModes();
}

void OverlayPage::updateModes()
{
    auto* model = qobject_cast<QStandardItemModel*>(m_mode->model());
    const ComputationPtr c = m_view->computation();
    for (int i = 0; i < m_mode->count(); ++i) {
        const auto mode = OverlayView::parseMode(m_mode->itemData(i).toString());
        const bool available = c && mode && OverlayView::isModeAvailable(*mode, *c->result);
        QStandardItem* item = model->item(i);
        item->setEnabled(available);
        QString tip;
        if (!available && mode == OverlayView::Mode::Rollout)
            tip = OverlayView::hasRolloutProvider() ? tr("Rollout needs several layers (a checkpoint)")
                                                    : tr("Rollout needs several layers and the rollout engine "
                                                         "(core/AttentionRollout), not in this build yet");
        else if (!available && mode == OverlayView::Mode::Spatial)
            tip = tr("This computation has no spatial attention map");
        item->setToolTip(tip);
    }
    const QSignalBlocker block(m_mode);
    m_mode->setCurrentIndex(m_mode->findData(OverlayView::modeName(m_view->mode())));
}
