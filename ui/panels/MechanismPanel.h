#pragma once
// Every engine option: score, normaliser and temperature, scope with W and G, causal, heads,
// dimension, projection and seed, dynamic attention, combination (and k). Any edit emits
// mechanismChanged(); setMechanism() updates the controls without emitting.
#include "Mechanism.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;

class MechanismPanel : public QWidget {
    Q_OBJECT
public:
    explicit MechanismPanel(QWidget* parent = nullptr);

    attn::Mechanism mechanism() const;
    void setMechanism(const attn::Mechanism& mechanism);

    // For tests and shortcuts.
    QComboBox* scoreBox() const { return m_score; }
    QSpinBox* headsBox() const { return m_heads; }

signals:
    void mechanismChanged();

private:
    void updateEnabled();

    QComboBox* m_score = nullptr;
    QComboBox* m_norm = nullptr;
    QDoubleSpinBox* m_temperature = nullptr;
    QComboBox* m_scope = nullptr;
    QSpinBox* m_window = nullptr;
    QSpinBox* m_global = nullptr;
    QCheckBox* m_causal = nullptr;
    QSpinBox* m_heads = nullptr;
    QSpinBox* m_dim = nullptr;
    QComboBox* m_projection = nullptr;
    QLabel* m_projectionFile = nullptr;
    QSpinBox* m_seed = nullptr;
    QComboBox* m_dynamic = nullptr;
    QComboBox* m_combine = nullptr;
    QSpinBox* m_topK = nullptr;
    std::string m_projectionPath;
    std::vector<int> m_paddedKeys;
};
