#include "AnalysisBar.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>

AnalysisBar::AnalysisBar(QWidget* parent)
    : QWidget(parent)
    // Short labels (the tooltips say the rest): the strip fits the centre of a 1366 px screen.
    , m_dropSpecial(new QCheckBox(tr("Drop special"), this))
    , m_dropFirst(new QCheckBox(tr("Drop first"), this))
    , m_mergeWords(new QCheckBox(tr("Merge subwords"), this))
    , m_rollout(new QCheckBox(tr("Rollout"), this))
    , m_fusion(new QComboBox(this))
    , m_discard(new QDoubleSpinBox(this))
{
    m_dropSpecial->setToolTip(
        tr("Remove [CLS], [SEP], <s>, … as keys and queries; each row renormalised to sum 1"));
    m_dropFirst->setToolTip(
        tr("Remove the first token (often an attention sink) as key and query; rows renormalised"));
    m_mergeWords->setToolTip(
        tr("Attention to a word = sum over its tokens, from a word = mean over its tokens"));
    m_rollout->setToolTip(
        tr("Heatmap: attention rollout over the layers (Â = ½A + ½I, rows renormalised, R = Â_L ··· Â_1)"));
    m_fusion->addItem(tr("mean"), QStringLiteral("mean"));
    m_fusion->addItem(tr("min"), QStringLiteral("min"));
    m_fusion->addItem(tr("max"), QStringLiteral("max"));
    m_fusion->setToolTip(tr("How the heads of a layer are fused: their mean, min or max"));
    m_discard->setRange(0.0, 0.99);
    m_discard->setSingleStep(0.05);
    m_discard->setDecimals(2);
    m_discard->setToolTip(
        tr("Per row, zero this fraction of the smallest off-diagonal weights (never the diagonal)"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 0, 4, 0);
    layout->addWidget(m_dropSpecial);
    layout->addWidget(m_dropFirst);
    layout->addWidget(m_mergeWords);
    layout->addSpacing(16);
    layout->addWidget(m_rollout);
    layout->addWidget(m_fusion);
    layout->addWidget(new QLabel(tr("discard"), this));
    layout->addWidget(m_discard);
    layout->addStretch(1);
    m_fusion->setEnabled(false);
    m_discard->setEnabled(false);
    for (QCheckBox* box : { m_dropSpecial, m_dropFirst, m_mergeWords })
        connect(box, &QCheckBox::toggled, this, &AnalysisBar::optionsChanged);
    connect(m_rollout, &QCheckBox::toggled, this, [this](bool on) {
        m_fusion->setEnabled(on);
        m_discard->setEnabled(on);
        emit optionsChanged();
    });
    connect(m_fusion, &QComboBox::currentIndexChanged, this, [this] {
        if (m_rollout->isChecked())
            emit optionsChanged();
    });
    connect(m_discard, &QDoubleSpinBox::valueChanged, this, [this] {
        if (m_rollout->isChecked())
            emit optionsChanged();
    });
}

attn::TokenViewOptions AnalysisBar::tokenOptions() const
{
    attn::TokenViewOptions o;
    o.filter.dropSpecial = m_dropSpecial->isChecked();
    o.filter.dropFirst = m_dropFirst->isChecked();
    o.mergeWords = m_mergeWords->isChecked();
    return o;
}

std::optional<attn::RolloutOptions> AnalysisBar::rollout() const
{
    if (!m_rollout->isChecked())
        return std::nullopt;
    attn::RolloutOptions o;
    o.fusion = *attn::AttentionRollout::parseFusion(m_fusion->currentData().toString().toStdString());
    o.discardRatio = m_discard->value();
    return o;
}

void AnalysisBar::setRollout(bool on, attn::HeadFusion fusion, double discard)
{
    {
        const QSignalBlocker b1(m_rollout), b2(m_fusion), b3(m_discard);
        m_fusion->setCurrentIndex(
            std::max(0, m_fusion->findData(QLatin1String(attn::AttentionRollout::fusionName(fusion)))));
        m_discard->setValue(discard);
        m_rollout->setChecked(on);
        m_fusion->setEnabled(on);
        m_discard->setEnabled(on);
    }
    emit optionsChanged();
}

void AnalysisBar::setOptions(const attn::TokenViewOptions& tokens, const std::optional<attn::RolloutOptions>& rollout)
{
    {
        const QSignalBlocker b1(m_dropSpecial), b2(m_dropFirst), b3(m_mergeWords), b4(this);
        m_dropSpecial->setChecked(tokens.filter.dropSpecial);
        m_dropFirst->setChecked(tokens.filter.dropFirst);
        m_mergeWords->setChecked(tokens.mergeWords);
        const attn::RolloutOptions r = rollout.value_or(attn::RolloutOptions{});
        setRollout(rollout.has_value(), r.fusion, r.discardRatio); // its optionsChanged() is blocked here
    }
    emit optionsChanged();
}
