#include "ViewControls.h"

#include "ColorMap.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSpinBox>

ViewControls::ViewControls(QWidget* parent)
    : QWidget(parent)
    , m_layer(new QSpinBox(this))
    , m_head(new QComboBox(this))
    , m_colorMap(new QComboBox(this))
    , m_range(new QComboBox(this))
{
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 2, 4, 2);
    m_layer->setRange(0, 0);
    m_colorMap->addItems(ColorMap::names());
    m_range->addItem(tr("auto per head"), QStringLiteral("per-head"));
    m_range->addItem(tr("fixed 0–1"), QStringLiteral("fixed"));
    m_range->addItem(tr("shared across heads"), QStringLiteral("shared"));
    m_range->addItem(tr("log scale"), QStringLiteral("log"));
    layout->addWidget(new QLabel(tr("Layer"), this));
    layout->addWidget(m_layer);
    layout->addWidget(new QLabel(tr("Head"), this));
    layout->addWidget(m_head);
    layout->addSpacing(12);
    layout->addWidget(new QLabel(tr("Colours"), this));
    layout->addWidget(m_colorMap);
    layout->addWidget(new QLabel(tr("Range"), this));
    layout->addWidget(m_range);
    layout->addStretch(1);
    setShape(1, 1);

    connect(m_layer, &QSpinBox::valueChanged, this, [this] { emit headChanged(layer(), head()); });
    connect(m_head, &QComboBox::currentIndexChanged, this, [this] { emit headChanged(layer(), head()); });
    connect(m_colorMap, &QComboBox::currentTextChanged, this, &ViewControls::colorMapChanged);
    connect(m_range, &QComboBox::currentIndexChanged, this, [this] { emit rangeChanged(range()); });
}

void ViewControls::setShape(int layers, int heads)
{
    const QSignalBlocker b1(m_layer), b2(m_head);
    const int previous = head();
    m_layer->setRange(0, std::max(0, layers - 1));
    m_layer->setEnabled(layers > 1);
    m_heads = heads;
    m_head->clear();
    for (int h = 0; h < heads; ++h)
        m_head->addItem(tr("%1").arg(h), h);
    m_head->addItem(tr("mean of heads"), -1);
    m_head->setCurrentIndex(previous >= 0 && previous < heads ? previous : (previous == -1 ? heads : 0));
}

int ViewControls::layer() const { return m_layer->value(); }
int ViewControls::head() const { return m_head->count() ? m_head->currentData().toInt() : 0; }

void ViewControls::setHead(int layer, int head)
{
    const QSignalBlocker b1(m_layer), b2(m_head);
    m_layer->setValue(layer);
    const int index = m_head->findData(head);
    if (index >= 0)
        m_head->setCurrentIndex(index);
}

QString ViewControls::colorMap() const { return m_colorMap->currentText(); }

void ViewControls::setColorMap(const QString& name)
{
    const int index = m_colorMap->findText(name);
    if (index >= 0)
        m_colorMap->setCurrentIndex(index);
}

QString ViewControls::range() const { return m_range->currentData().toString(); }

void ViewControls::setRange(const QString& range)
{
    const int index = m_range->findData(range);
    if (index >= 0)
        m_range->setCurrentIndex(index);
}

void ViewControls::nextHead() { m_head->setCurrentIndex((m_head->currentIndex() + 1) % m_head->count()); }

void ViewControls::previousHead()
{
    m_head->setCurrentIndex((m_head->currentIndex() + m_head->count() - 1) % m_head->count());
}
