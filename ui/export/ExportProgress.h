#pragma once
// The progress dialog of one ExportJob: the job's own words ("Exporting attention.npy: 87 of
// 1336 MB", "Exporting map_head3.png: 4 of 14 files"), a bar in tenths of a percent, Cancel stops
// the job. Window-modal (the result being written stays the one shown); shown only when the job
// takes longer than 0.4 s; it closes itself when the job finishes.
#include <QProgressDialog>

class ExportJob;

class ExportProgress : public QProgressDialog {
    Q_OBJECT
public:
    ExportProgress(ExportJob* job, QWidget* parent);

private:
    void showProgress(quint64 done, quint64 total);

    ExportJob* m_job;
};
