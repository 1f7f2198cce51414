#include "ExportProgress.h"

#include "ExportJob.h"

ExportProgress::ExportProgress(ExportJob* job, QWidget* parent)
    : QProgressDialog(parent)
    , m_job(job)
{
    setLabelText(job->describe(0, 0));
    setCancelButtonText(tr("Cancel"));
    setRange(0, 1000);
    setWindowModality(Qt::WindowModal);
    setMinimumDuration(400);
    setAutoReset(false);
    setAutoClose(false);
    setValue(0);
    connect(this, &QProgressDialog::canceled, job, &ExportJob::cancel);
    connect(job, &ExportJob::progress, this, &ExportProgress::showProgress);
    connect(job, &ExportJob::finished, this, [this] {
        close();
        deleteLater();
    });
}

void ExportProgress::showProgress(quint64 done, quint64 total)
{
    if (total == 0)
        return; // nothing to count
    setValue(static_cast<int>(done * 1000 / total));
    setLabelText(m_job->describe(done, total));
}
