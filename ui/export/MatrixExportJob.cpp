#include "MatrixExportJob.h"

#include "BackgroundPool.h"
#include "ViewExporter.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QPointer>

#include <utility>

MatrixExportJob::MatrixExportJob(QString path, ComputationPtr computation, int layer, int head, QObject* parent)
    : ExportJob(parent)
    , m_path(std::move(path))
    , m_computation(std::move(computation))
    , m_layer(layer)
    , m_head(head)
{
}

MatrixExportJob::~MatrixExportJob() { m_cancel->store(true); }

void MatrixExportJob::start()
{
    if (m_running)
        return;
    m_running = true;
    QPointer<MatrixExportJob> self(this);
    // The job holds the computation and the flag itself: it can outlive this object (a window
    // closed mid-export), and then only its result is dropped.
    (void)BackgroundPool::run([self, path = m_path, computation = m_computation, layer = m_layer, head = m_head,
                                  flag = m_cancel] {
        MatrixExportControl control;
        control.cancel = flag.get();
        control.progress = [self](uint64_t written, uint64_t total) {
            QMetaObject::invokeMethod(
                qApp,
                [self, written, total] {
                    if (self && self->m_running)
                        emit self->progress(written, total);
                },
                Qt::QueuedConnection);
        };
        const QString error = ViewExporter::exportMatrix(path, computation, layer, head, &control);
        QMetaObject::invokeMethod(
            qApp,
            [self, error] {
                if (!self)
                    return;
                self->m_running = false;
                emit self->finished(error);
            },
            Qt::QueuedConnection);
    });
}

void MatrixExportJob::cancel() { m_cancel->store(true); }

QString MatrixExportJob::describe(quint64 written, quint64 total) const
{
    const QString name = QFileInfo(m_path).fileName();
    if (total == 0)
        return tr("Exporting %1…").arg(name);
    return tr("Exporting %1: %2 of %3 MB")
        .arg(name)
        .arg(static_cast<double>(written) / (1024.0 * 1024.0), 0, 'f', 0)
        .arg(static_cast<double>(total) / (1024.0 * 1024.0), 0, 'f', 0);
}
