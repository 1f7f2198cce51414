#include "MechanismPanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QLabel>
#include <QSpinBox>

namespace {
QComboBox* combo(QWidget* parent, const QList<QPair<QString, QString>>& items)
{
    auto* box = new QComboBox(parent);
    for (const auto& [label, value] : items)
        box->addItem(label, value);
    return box;
}

void select(QComboBox* box, const char* value)
{
    const int index = box->findData(QString::fromLatin1(value));
    if (index >= 0)
        box->setCurrentIndex(index);
}

std::string valueOf(const QComboBox* box) { return box->currentData().toString().toStdString(); }
} // namespace

MechanismPanel::MechanismPanel(QWidget* parent)
    : QWidget(parent)
{
    auto* form = new QFormLayout(this);
    form->setContentsMargins(4, 4, 4, 4);
    m_score = combo(this, {{tr("Scaled dot  q·k/√d"), QStringLiteral("scaled-dot")}, {tr("Dot  q·k"), QStringLiteral("dot")},
                              {tr("Additive  vᵀtanh(Wq+Wk)"), QStringLiteral("additive")},
                              {tr("Bilinear  qᵀWk"), QStringLiteral("bilinear")}, {tr("Cosine"), QStringLiteral("cosine")}});
    m_norm = combo(this, {{tr("Softmax"), QStringLiteral("softmax")}, {tr("Sigmoid gate"), QStringLiteral("sigmoid")},
                             {tr("Ratio  s/Σs"), QStringLiteral("ratio")}});
    m_temperature = new QDoubleSpinBox(this);
    m_temperature->setRange(0.01, 100.0);
    m_temperature->setDecimals(2);
    m_temperature->setSingleStep(0.1);
    m_temperature->setValue(1.0);
    m_scope = combo(this, {{tr("Global"), QStringLiteral("global")}, {tr("Local window"), QStringLiteral("local")},
                              {tr("Hybrid (window + global)"), QStringLiteral("hybrid")}});
    m_window = new QSpinBox(this);
    m_window->setRange(1, 100000);
    m_window->setValue(2);
    m_window->setPrefix(QStringLiteral("W = "));
    m_global = new QSpinBox(this);
    m_global->setRange(0, 100000);
    m_global->setValue(1);
    m_global->setPrefix(QStringLiteral("G = "));
    m_causal = new QCheckBox(tr("Causal (no looking ahead)"), this);
    m_heads = new QSpinBox(this);
    m_heads->setRange(1, 128);
    m_dim = new QSpinBox(this);
    m_dim->setRange(1, 4096);
    m_dim->setValue(64);
    m_projection = combo(this, {{tr("Identity (Q = K = V = X)"), QStringLiteral("identity")},
                                   {tr("Random (seeded)"), QStringLiteral("random")},
                                   {tr("From file…"), QStringLiteral("file")}});
    m_projectionFile = new QLabel(this);
    m_projectionFile->setWordWrap(true);
    m_projectionFile->hide();
    m_seed = new QSpinBox(this);
    m_seed->setRange(0, 1000000);
    m_seed->setValue(42);
    m_dynamic = combo(this, {{tr("None"), QStringLiteral("none")}, {tr("Gate σ(w·x)"), QStringLiteral("gate")},
                                {tr("Temperature T·(½+σ(w·x))"), QStringLiteral("temperature")}});
    m_combine = combo(this, {{tr("Weighted sum"), QStringLiteral("weighted-sum")},
                                {tr("Element-wise"), QStringLiteral("element-wise")},
                                {tr("Soft selection (top-k)"), QStringLiteral("soft-selection")}});
    m_topK = new QSpinBox(this);
    m_topK->setRange(1, 100000);
    m_topK->setValue(3);
    m_topK->setPrefix(QStringLiteral("k = "));

    form->addRow(tr("Score:"), m_score);
    form->addRow(tr("Normaliser:"), m_norm);
    form->addRow(tr("Temperature:"), m_temperature);
    form->addRow(tr("Scope:"), m_scope);
    form->addRow(tr("Window:"), m_window);
    form->addRow(tr("Global tokens:"), m_global);
    form->addRow(QString(), m_causal);
    form->addRow(tr("Heads:"), m_heads);
    form->addRow(tr("Dimension:"), m_dim);
    form->addRow(tr("Projection:"), m_projection);
    form->addRow(QString(), m_projectionFile);
    form->addRow(tr("Seed:"), m_seed);
    form->addRow(tr("Dynamic:"), m_dynamic);
    form->addRow(tr("Combination:"), m_combine);
    form->addRow(tr("Top-k:"), m_topK);

    for (QComboBox* box : {m_score, m_norm, m_scope, m_dynamic, m_combine})
        connect(box, &QComboBox::currentIndexChanged, this, [this] {
            updateEnabled();
            emit mechanismChanged();
        });
    for (QSpinBox* box : {m_window, m_global, m_heads, m_dim, m_seed, m_topK})
        connect(box, &QSpinBox::valueChanged, this, &MechanismPanel::mechanismChanged);
    connect(m_temperature, &QDoubleSpinBox::valueChanged, this, &MechanismPanel::mechanismChanged);
    connect(m_causal, &QCheckBox::toggled, this, &MechanismPanel::mechanismChanged);
    connect(m_projection, &QComboBox::activated, this, [this] {
        if (valueOf(m_projection) == "file") {
            const QString path = QFileDialog::getOpenFileName(this, tr("Projection weights"), {},
                tr("PyTorch MultiheadAttention state_dict (*.safetensors)"));
            if (path.isEmpty() && m_projectionPath.empty()) {
                select(m_projection, "identity");
            } else if (!path.isEmpty()) {
                m_projectionPath = path.toStdString();
            }
        }
        updateEnabled();
        emit mechanismChanged();
    });
    updateEnabled();
}

void MechanismPanel::updateEnabled()
{
    const std::string scope = valueOf(m_scope);
    m_window->setEnabled(scope != "global");
    m_global->setEnabled(scope == "hybrid");
    m_temperature->setEnabled(valueOf(m_norm) != "ratio");
    m_topK->setEnabled(valueOf(m_combine) == "soft-selection");
    const bool file = valueOf(m_projection) == "file";
    m_projectionFile->setVisible(file);
    m_projectionFile->setText(tr("File: %1").arg(QString::fromStdString(m_projectionPath)));
    m_dim->setEnabled(valueOf(m_projection) == "random" || valueOf(m_projection) == "identity");
    m_seed->setEnabled(valueOf(m_projection) == "random" || valueOf(m_dynamic) != "none" || valueOf(m_score) == "additive");
}

attn::Mechanism MechanismPanel::mechanism() const
{
    attn::Mechanism m;
    m.score = *attn::parseScoreKind(valueOf(m_score));
    m.norm = *attn::parseNormKind(valueOf(m_norm));
    m.temperature = m_temperature->value();
    m.scope = *attn::parseScopeKind(valueOf(m_scope));
    m.window = m_window->value();
    m.globalTokens = m_global->value();
    m.causal = m_causal->isChecked();
    m.paddedKeys = m_paddedKeys;
    m.heads = m_heads->value();
    m.dim = m_dim->value();
    const std::string proj = valueOf(m_projection);
    m.projection = proj == "random" ? attn::ProjectionKind::Random
                   : proj == "file" ? attn::ProjectionKind::File
                                    : attn::ProjectionKind::Identity;
    m.projectionFile = m_projectionPath;
    m.seed = static_cast<uint64_t>(m_seed->value());
    m.dynamic = *attn::parseDynamicKind(valueOf(m_dynamic));
    m.combine = *attn::parseCombineKind(valueOf(m_combine));
    m.topK = m_topK->value();
    return m;
}

void MechanismPanel::setMechanism(const attn::Mechanism& m)
{
    const QSignalBlocker blockers[] = {QSignalBlocker(m_score), QSignalBlocker(m_norm), QSignalBlocker(m_temperature),
        QSignalBlocker(m_scope), QSignalBlocker(m_window), QSignalBlocker(m_global), QSignalBlocker(m_causal),
        QSignalBlocker(m_heads), QSignalBlocker(m_dim), QSignalBlocker(m_projection), QSignalBlocker(m_seed),
        QSignalBlocker(m_dynamic), QSignalBlocker(m_combine), QSignalBlocker(m_topK)};
    select(m_score, attn::toString(m.score));
    select(m_norm, attn::toString(m.norm));
    m_temperature->setValue(m.temperature);
    select(m_scope, attn::toString(m.scope));
    m_window->setValue(std::max(1, m.window));
    m_global->setValue(std::max(0, m.globalTokens));
    m_causal->setChecked(m.causal);
    m_heads->setValue(m.heads);
    m_dim->setValue(m.dim > 0 ? m.dim : 64);
    select(m_projection, attn::toString(m.projection));
    m_projectionPath = m.projectionFile;
    m_seed->setValue(static_cast<int>(std::min<uint64_t>(m.seed, 1000000)));
    select(m_dynamic, attn::toString(m.dynamic));
    select(m_combine, attn::toString(m.combine));
    m_topK->setValue(m.topK);
    m_paddedKeys = m.paddedKeys;
    updateEnabled();
}
