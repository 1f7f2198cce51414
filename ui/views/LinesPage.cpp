#include "LinesPage.h"

#include "HeadPalette.h"
#include "LinesView.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QVBoxLayout>

LinesPage::LinesPage(QWidget* parent)
    : QWidget(parent)
    , m_view(new LinesView(this))
{
    auto* layout = new QVBoxLayout(this);
    auto* bar = new QHBoxLayout;
    m_heads = new QHBoxLayout;
    m_threshold = new QSlider(Qt::Horizontal, this);
    m_threshold->setRange(0, 100);
    m_threshold->setValue(1);
    m_threshold->setMaximumWidth(200);
    m_thresholdLabel = new QLabel(this);
    bar->addWidget(new QLabel(tr("Heads:"), this));
    bar->addLayout(m_heads);
    bar->addStretch(1);
    bar->addWidget(new QLabel(tr("Hide weights below"), this));
    bar->addWidget(m_threshold);
    bar->addWidget(m_thresholdLabel);
    layout->addLayout(bar);
    layout->addWidget(m_view, 1);
    auto updateThreshold = [this](int v) {
        m_view->setThreshold(v / 100.0);
        m_thresholdLabel->setText(QString::number(v / 100.0, 'f', 2));
    };
    connect(m_threshold, &QSlider::valueChanged, this, updateThreshold);
    updateThreshold(m_threshold->value());
}

void LinesPage::setComputation(ComputationPtr computation)
{
    const int heads = computation ? computation->result->heads : 0;
    if (heads != m_headCount) {
        while (QLayoutItem* item = m_heads->takeAt(0)) {
            delete item->widget();
            delete item;
        }
        m_view->setAllHeadsEnabled();
        for (int h = 0; h < heads; ++h) {
            auto* box = new QCheckBox(QString::number(h), this);
            box->setChecked(true);
            const QColor c = HeadPalette::color(h);
            box->setStyleSheet(QStringLiteral("QCheckBox { color: %1; font-weight: bold; }").arg(c.name()));
            connect(box, &QCheckBox::toggled, this, [this, h](bool on) { m_view->setHeadEnabled(h, on); });
            m_heads->addWidget(box);
        }
        m_headCount = heads;
    }
    m_view->setComputation(std::move(computation));
}

void LinesPage::setLayer(int layer) { m_view->setLayer(layer); }
