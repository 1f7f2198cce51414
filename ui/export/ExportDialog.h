#pragma once
// File ▸ Export…: the view (heatmap, heads grid, lines, diff) or a matrix, the format
// (PNG/SVG/PDF; CSV/NPY/JSON for matrices), size in pixels and DPI, colour bar and labels,
// the current head or every head (one file each). The file dialog confirms overwriting.
#include "ExportOptions.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QSpinBox;

class ExportDialog : public QDialog {
    Q_OBJECT
public:
    enum class Heads { Current, EachHeadOneFile };
    explicit ExportDialog(const ExportOptions& defaults, QWidget* parent = nullptr);

    ExportOptions options() const;
    QString path() const;
    Heads heads() const;
    bool isMatrix() const; // CSV / NPY / JSON of the weights

private:
    void updateSuffix();

    QComboBox* m_what = nullptr;
    QComboBox* m_format = nullptr;
    QSpinBox* m_width = nullptr;
    QSpinBox* m_height = nullptr;
    QSpinBox* m_dpi = nullptr;
    QCheckBox* m_colorBar = nullptr;
    QCheckBox* m_labels = nullptr;
    QComboBox* m_heads = nullptr;
    QLineEdit* m_path = nullptr;
    ExportOptions m_defaults;
};
