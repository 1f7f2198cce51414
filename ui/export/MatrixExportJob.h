#pragma once
// One matrix export (ViewExporter::exportMatrix: .npy of every map, .csv of a head, .json) run on
// BackgroundPool, so a long prompt's 22 GB .npy, streamed head by head, never holds up the window.
// Reports bytes written as it goes and stops on cancel(); either way the file is complete or not
// there (a file already at the path is left as it was).
#include "Computation.h"
#include "ExportJob.h"

#include <QString>

#include <atomic>
#include <cstdint>
#include <memory>

// progress(): bytes written of the file's total (total 0: a file written in one piece).
class MatrixExportJob : public ExportJob {
    Q_OBJECT
public:
    MatrixExportJob(QString path, ComputationPtr computation, int layer, int head, QObject* parent = nullptr);
    // A job still running is cancelled (its file is not written).
    ~MatrixExportJob() override;

    void start() override;
    QString path() const override { return m_path; }
    // "Exporting attention.npy: 87 of 1336 MB"
    QString describe(quint64 written, quint64 total) const override;
    // Stops the export at its next tile; finished() follows with the "cancelled" message.
    void cancel() override;

private:
    QString m_path;
    ComputationPtr m_computation;
    int m_layer;
    int m_head;
    std::shared_ptr<std::atomic<bool>> m_cancel = std::make_shared<std::atomic<bool>>(false);
};
