#pragma once
// The strip of token-level analyses that apply to every view: drop special tokens, drop the
// first (sink) token, merge subwords into words; and the Rollout mode of the heatmap (attention
// rollout across layers, with head fusion mean/min/max and a discard ratio).
#include "AttentionRollout.h"
#include "TokenView.h"

#include <QWidget>

#include <optional>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;

class AnalysisBar : public QWidget {
    Q_OBJECT
public:
    explicit AnalysisBar(QWidget* parent = nullptr);

    attn::TokenViewOptions tokenOptions() const;
    std::optional<attn::RolloutOptions> rollout() const; // nullopt: the heatmap shows the chosen head

    QCheckBox* dropSpecialBox() const { return m_dropSpecial; }
    QCheckBox* dropFirstBox() const { return m_dropFirst; }
    QCheckBox* mergeWordsBox() const { return m_mergeWords; }
    QCheckBox* rolloutBox() const { return m_rollout; }
    void setRollout(bool on, attn::HeadFusion fusion, double discard);
    // Both at once (a session): one optionsChanged().
    void setOptions(const attn::TokenViewOptions& tokens, const std::optional<attn::RolloutOptions>& rollout);

signals:
    void optionsChanged();

private:
    QCheckBox* m_dropSpecial = nullptr;
    QCheckBox* m_dropFirst = nullptr;
    QCheckBox* m_mergeWords = nullptr;
    QCheckBox* m_rollout = nullptr;
    QComboBox* m_fusion = nullptr;
    QDoubleSpinBox* m_discard = nullptr;
};
