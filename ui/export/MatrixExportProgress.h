#pragma once
// The progress dialog of one MatrixExportJob: "Exporting attention.npy: 87 of 1336 MB", a bar in
// tenths of a percent, Cancel stops the job. Window-modal (the result being written stays the one
// shown); it closes itself when the job finishes.
#include <QProgressDialog>
#include <QString>

class MatrixExportJob;

class MatrixExportProgress : public QProgressDialog {
    Q_OBJECT
public:
    MatrixExportProgress(MatrixExportJob* job, QWidget* parent);

private:
    void showProgress(quint64 written, quint64 total);

    QString m_fileName;
};
