#pragma once
// The Heads tab: the heads grid under a strip that orders it by a per-head statistic (entropy,
// max weight, mean distance, first-token mass, previous-token mass; ascending or descending) and
// filters it by a threshold on that statistic ("first-token mass ≥ 0.5": the sink heads). The
// choice persists in QSettings (heads/order, heads/ascending, heads/filter, heads/atMost, heads/threshold).
#include <QWidget>

class HeadGridView;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;

class HeadsPage : public QWidget {
    Q_OBJECT
public:
    explicit HeadsPage(QWidget* parent = nullptr);

    HeadGridView* grid() const { return m_grid; }
    // "layers" (the plain layer x head layout) or a HeadRanking name: entropy, max, distance, first,
    // previous.
    void setOrder(const QString& statistic, bool ascending);
    // Keep heads whose statistic is >= (atLeast) or <= the threshold; disable with setFilterEnabled(false).
    void setFilter(bool enabled, bool atLeast, double threshold);

private:
    void apply();

    HeadGridView* m_grid = nullptr;
    QComboBox* m_order = nullptr;
    QCheckBox* m_ascending = nullptr;
    QCheckBox* m_filter = nullptr;
    QComboBox* m_compare = nullptr;
    QDoubleSpinBox* m_threshold = nullptr;
};
