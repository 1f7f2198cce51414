#include "MatrixExportProgress.h"

#include "MatrixExportJob.h"

#include <QFileInfo>

MatrixExportProgress::MatrixExportProgress(MatrixExportJob* job, QWidget* parent)
    : QProgressDialog(parent)
    , m_fileName(QFileInfo(job->path()).fileName())
{
    setLabelText(tr("Exporting %1…").arg(m_fileName));
    setCancelButtonText(tr("Cancel"));
    setRange(0, 1000);
    setWindowModality(Qt::WindowModal);
    setMinimumDuration(400);
    setAutoReset(false);
    setAutoClose(false);
    setValue(0);
    connect(this, &QProgressDialog::canceled, job, &MatrixExportJob::cancel);
    connect(job, &MatrixExportJob::progress, this, &MatrixExportProgress::showProgress);
    connect(job, &MatrixExportJob::finished, this, [this] {
        close();
        deleteLater();
    });
}

void MatrixExportProgress::showProgress(quint64 written, quint64 total)
{
    if (total == 0)
        return; // written in one piece: nothing to count
    setValue(static_cast<int>(written * 1000 / total));
    setLabelText(tr("Exporting %1: %2 of %3 MB")
                     .arg(m_fileName)
                     .arg(static_cast<double>(written) / (1024.0 * 1024.0), 0, 'f', 0)
                     .arg(static_cast<double>(total) / (1024.0 * 1024.0), 0, 'f', 0));
}
