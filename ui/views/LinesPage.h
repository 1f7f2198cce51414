#pragma once
// The Lines tab: the LinesView plus its controls (one toggle per head, a threshold slider).
#include "Computation.h"

#include <QWidget>

class LinesView;
class QHBoxLayout;
class QLabel;
class QSlider;

class LinesPage : public QWidget {
    Q_OBJECT
public:
    explicit LinesPage(QWidget* parent = nullptr);
    void setComputation(ComputationPtr computation);
    void setLayer(int layer);
    LinesView* view() const { return m_view; }
    QSlider* thresholdSlider() const { return m_threshold; }

private:
    LinesView* m_view = nullptr;
    QHBoxLayout* m_heads = nullptr;
    QSlider* m_threshold = nullptr;
    QLabel* m_thresholdLabel = nullptr;
    int m_headCount = -1;
};
