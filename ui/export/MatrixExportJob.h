#pragma once
// One matrix export (ViewExporter::exportMatrix: .npy of every map, .csv of a head, .json) run on
// BackgroundPool, so a long prompt's 22 GB .npy, streamed head by head, never holds up the window.
// Reports bytes written as it goes and stops on cancel(); either way the file is complete or not
// there (a file already at the path is left as it was).
#include "Computation.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <cstdint>
#include <memory>

class MatrixExportJob : public QObject {
    Q_OBJECT
public:
    MatrixExportJob(QString path, ComputationPtr computation, int layer, int head, QObject* parent = nullptr);
    // A job still running is cancelled (its file is not written).
    ~MatrixExportJob() override;

    void start();
    // Stops the export at its next tile; finished() follows with the "cancelled" message.
    void cancel();
    bool isRunning() const { return m_running; }
    const QString& path() const { return m_path; }

signals:
    // written of total bytes (total 0: a file written in one piece, no steps to report).
    void progress(quint64 written, quint64 total);
    // An empty error: written.
    void finished(const QString& error);

private:
    QString m_path;
    ComputationPtr m_computation;
    int m_layer;
    int m_head;
    bool m_running = false;
    std::shared_ptr<std::atomic<bool>> m_cancel = std::make_shared<std::atomic<bool>>(false);
};
