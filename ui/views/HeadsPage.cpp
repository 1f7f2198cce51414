#include "HeadsPage.h"

#include "HeadGridView.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSettings>
#include <QScrollArea>
#include <QVBoxLayout>

HeadsPage::HeadsPage(QWidget* parent)
    : QWidget(parent)
    , m_grid(new HeadGridView(this))
    , m_order(new QComboBox(this))
    , m_ascending(new QCheckBox(tr("ascending"), this))
    , m_filter(new QCheckBox(tr("only heads with"), this))
    , m_compare(new QComboBox(this))
    , m_threshold(new QDoubleSpinBox(this))
{
    m_order->addItem(tr("layer × head"), QStringLiteral("layers"));
    m_order->addItem(tr("entropy"), QStringLiteral("entropy"));
    m_order->addItem(tr("max weight"), QStringLiteral("max"));
    m_order->addItem(tr("mean distance"), QStringLiteral("distance"));
    m_order->addItem(tr("first-token (sink) mass"), QStringLiteral("first"));
    m_order->addItem(tr("previous-token mass"), QStringLiteral("previous"));
    m_compare->addItem(QStringLiteral("≥"));
    m_compare->addItem(QStringLiteral("≤"));
    m_threshold->setRange(0.0, 10000.0);
    m_threshold->setDecimals(3);
    m_threshold->setSingleStep(0.05);
    m_threshold->setValue(0.5);

    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(4, 2, 4, 2);
    bar->addWidget(new QLabel(tr("Sort by"), this));
    bar->addWidget(m_order);
    bar->addWidget(m_ascending);
    bar->addSpacing(12);
    bar->addWidget(m_filter);
    bar->addWidget(m_compare);
    bar->addWidget(m_threshold);
    bar->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    // Many heads (24 layers x 14 of a 0.5B model) scroll at a readable tile size.
    auto* scroll = new QScrollArea(this);
    scroll->setWidget(m_grid);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    layout->addWidget(scroll, 1);

    // The order and filter persist (QSettings "heads/..."), as the colour map does.
    QSettings settings;
    m_order->setCurrentIndex(std::max(
        0, m_order->findData(settings.value(QStringLiteral("heads/order"), QStringLiteral("layers")))));
    m_ascending->setChecked(settings.value(QStringLiteral("heads/ascending"), false).toBool());
    m_filter->setChecked(settings.value(QStringLiteral("heads/filter"), false).toBool());
    m_compare->setCurrentIndex(settings.value(QStringLiteral("heads/atMost"), false).toBool() ? 1 : 0);
    m_threshold->setValue(settings.value(QStringLiteral("heads/threshold"), 0.5).toDouble());

    connect(m_order, &QComboBox::currentIndexChanged, this, &HeadsPage::apply);
    connect(m_ascending, &QCheckBox::toggled, this, &HeadsPage::apply);
    connect(m_filter, &QCheckBox::toggled, this, &HeadsPage::apply);
    connect(m_compare, &QComboBox::currentIndexChanged, this, &HeadsPage::apply);
    connect(m_threshold, &QDoubleSpinBox::valueChanged, this, &HeadsPage::apply);
    apply();
}

void HeadsPage::setOrder(const QString& statistic, bool ascending)
{
    const QSignalBlocker b1(m_order), b2(m_ascending);
    m_order->setCurrentIndex(std::max(0, m_order->findData(statistic)));
    m_ascending->setChecked(ascending);
    apply();
}

void HeadsPage::setFilter(bool enabled, bool atLeast, double threshold)
{
    const QSignalBlocker b1(m_filter), b2(m_compare), b3(m_threshold);
    m_filter->setChecked(enabled);
    m_compare->setCurrentIndex(atLeast ? 0 : 1);
    m_threshold->setValue(threshold);
    apply();
}

void HeadsPage::apply()
{
    const QString order = m_order->currentData().toString();
    const auto statistic = attn::HeadRanking::parse(order.toStdString());
    const bool ranked = statistic.ok();
    m_ascending->setEnabled(ranked);
    m_filter->setEnabled(ranked);
    m_compare->setEnabled(ranked && m_filter->isChecked());
    m_threshold->setEnabled(ranked && m_filter->isChecked());
    QSettings settings;
    settings.setValue(QStringLiteral("heads/order"), order);
    settings.setValue(QStringLiteral("heads/ascending"), m_ascending->isChecked());
    settings.setValue(QStringLiteral("heads/filter"), m_filter->isChecked());
    settings.setValue(QStringLiteral("heads/atMost"), m_compare->currentIndex() == 1);
    settings.setValue(QStringLiteral("heads/threshold"), m_threshold->value());
    if (!ranked) {
        m_grid->setRanking(std::nullopt);
        return;
    }
    HeadGridView::Ranking ranking;
    ranking.statistic = *statistic;
    ranking.ascending = m_ascending->isChecked();
    if (m_filter->isChecked())
        ranking.filter = attn::HeadThreshold { *statistic,
            m_compare->currentIndex() == 0 ? attn::HeadThreshold::Compare::AtLeast
                                           : attn::HeadThreshold::Compare::AtMost,
            m_threshold->value() };
    m_grid->setRanking(ranking);
}
