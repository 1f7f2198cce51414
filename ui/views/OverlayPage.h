#pragma once
// The Overlay tab: OverlayView under a strip of its own controls (mode, opacity, grid lines) and a
// readout of the hovered patch. Colour map, layer and head come from the shared ViewControls.
#include "Computation.h"

#include <QWidget>

class OverlayView;
class QCheckBox;
class QComboBox;
class QLabel;
class QSlider;

class OverlayPage : public QWidget {
    Q_OBJECT
public:
    explicit OverlayPage(QWidget* parent = nullptr);

    OverlayView* view() const { return m_view; }
    QComboBox* modeBox() const { return m_mode; }
    QSlider* opacitySlider() const { return m_opacity; }
    void setComputation(ComputationPtr computation);

private:
    void updateModes();

    OverlayView* m_view = nullptr;
    QComboBox* m_mode = nullptr;
    QSlider* m_opacity = nullptr;
    QCheckBox* m_grid = nullptr;
    QLabel* m_readout = nullptr;
};
