#pragma once
// The Details panel: the selected cell and query row (its top-k keys with weights), per-head
// statistics (entropy, max weight, mean attention distance), and the first rows of the
// numeric matrix in a copyable table.
#include "Computation.h"

#include <QWidget>

#include <optional>

class QLabel;
class QTableWidget;

class DetailsPanel : public QWidget {
    Q_OBJECT
public:
    explicit DetailsPanel(QWidget* parent = nullptr);

    void setComputation(ComputationPtr computation);
    void setHead(int layer, int head);
    void setSelectedQuery(int query);
    void setHoveredCell(int query, int key);
    // Shows a stage's tensor (from the pipeline view) in the matrix table instead of the weights:
    // its first rows and columns; for [L, H, Nq, Nk] the current layer and head, for [H, rows, d_k]
    // the current head (head 0 for the mean), or `head` when given (a pipeline node of one head).
    // It follows new computations until clearStage().
    void showStage(const attn::Tensor& tensor, int head = -1);
    void clearStage();
    QString matrixTitle() const;

    // The top keys shown for the selected query, "token: weight" per line (for tests).
    QStringList topKeysText() const;
    QTableWidget* matrixTable() const { return m_matrix; }
    QTableWidget* statsTable() const { return m_stats; }
    QTableWidget* topKeysTable() const { return m_row; }

private:
    void refreshRow();
    void refreshStats();
    void refreshMatrix();
    void refreshStageMatrix();
    // Rows [row0, row1) of the current head (or the mean of heads), (row1 - row0) x Nk: copied from a
    // held map, or, a long prompt's maps on demand, made from the trace for just those rows (a hover,
    // a selected query, the table's first rows never make a whole 64 MB map on the GUI thread).
    std::vector<float> rows(int row0, int row1) const;

    ComputationPtr m_computation;
    std::vector<float> m_mean;
    int m_layer = 0;
    int m_head = 0;
    int m_query = -1;
    QLabel* m_cell = nullptr;
    QLabel* m_rowTitle = nullptr;
    QTableWidget* m_row = nullptr;
    QTableWidget* m_stats = nullptr;
    QTableWidget* m_matrix = nullptr;
    QLabel* m_matrixTitle = nullptr;
    std::optional<attn::Tensor> m_stage;
    int m_stageHead = -1; // -1: the current head
};
