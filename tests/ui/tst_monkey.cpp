// A monkey: 2 000 random actions on the whole window (samples, typed input — garbage included —,
// every mechanism control, views, heads, colour maps, exports and sessions to a temp dir),
// offscreen, with a fixed seed. Passing means no crash, no hang and, in the sanitizer build, no
// ASan/UBSan/leak report; it also checks the window still computes correctly at the end.
#include "AttentionWorker.h"
#include "ErrorBanner.h"
#include "HeatmapView.h"
#include "InputPanel.h"
#include "MainWindow.h"
#include "MechanismPanel.h"
#include "SampleCatalog.h"
#include "ViewControls.h"
#include "ViewExporter.h"

#include <QAbstractSpinBox>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QtTest>

class TestMonkey : public QObject {
    Q_OBJECT
private slots:
    void twoThousandRandomActions();
};

void TestMonkey::twoThousandRandomActions()
{
    QCoreApplication::setOrganizationName(QStringLiteral("AttnScopeTests"));
    QStandardPaths::setTestModeEnabled(true);
    QTemporaryDir dir;
    MainWindow window;
    window.resize(1200, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QRandomGenerator rng(20261121);
    const auto combos = window.mechanismPanel()->findChildren<QComboBox*>();
    const auto spins = window.mechanismPanel()->findChildren<QSpinBox*>();
    const auto doubles = window.mechanismPanel()->findChildren<QDoubleSpinBox*>();
    const auto checks = window.mechanismPanel()->findChildren<QCheckBox*>();
    const auto& samples = SampleCatalog::all();
    const QStringList garbage{QStringLiteral("1,2;3"), QStringLiteral("nan"), QStringLiteral(""), QStringLiteral(";;;"),
        QStringLiteral("1e999"), QStringLiteral("注意力 机制"), QStringLiteral("1,2;3,4;5,6"), QStringLiteral("-1,-2"),
        QStringLiteral("[PAD] [PAD]"), QStringLiteral("\xff\xfe")};
    int exports = 0;
    for (int step = 0; step < 2000; ++step) {
        switch (rng.bounded(12)) {
        case 0:
            window.openSample(QString::fromStdString(samples[rng.bounded(static_cast<int>(samples.size()))].name));
            break;
        case 1: {
            QComboBox* box = combos[rng.bounded(static_cast<int>(combos.size()))];
            if (box->isEnabled() && box->count() > 0 && box->findData(QStringLiteral("file")) < 0)
                box->setCurrentIndex(rng.bounded(box->count()));
            break;
        }
        case 2: {
            QSpinBox* spin = spins[rng.bounded(static_cast<int>(spins.size()))];
            // Mostly small values; heads and dimensions that do not divide are errors the window must show.
            spin->setValue(spin->minimum() + rng.bounded(std::min(spin->maximum() - spin->minimum() + 1, 12)));
            break;
        }
        case 3:
            if (!doubles.isEmpty())
                doubles.front()->setValue(0.01 + rng.bounded(300) / 100.0);
            break;
        case 4:
            if (!checks.isEmpty())
                checks[rng.bounded(static_cast<int>(checks.size()))]->toggle();
            break;
        case 5: {
            attn::InputSpec spec;
            spec.kind = rng.bounded(2) ? attn::InputKind::Text : attn::InputKind::Sequence;
            spec.text = garbage[rng.bounded(garbage.size())].toStdString();
            window.inputPanel()->setSpec(spec);
            emit window.inputPanel()->inputChanged();
            break;
        }
        case 6:
            window.views()->setCurrentIndex(rng.bounded(window.views()->count()));
            break;
        case 7:
            if (rng.bounded(2))
                window.viewControls()->nextHead();
            else
                window.viewControls()->previousHead();
            break;
        case 8:
            window.viewControls()->setColorMap(QStringList{QStringLiteral("viridis"), QStringLiteral("magma"),
                QStringLiteral("inferno"), QStringLiteral("cividis"), QStringLiteral("grayscale")}[rng.bounded(5)]);
            window.viewControls()->setRange(QStringList{QStringLiteral("per-head"), QStringLiteral("fixed"),
                QStringLiteral("shared"), QStringLiteral("log")}[rng.bounded(4)]);
            break;
        case 9:
            if (window.current() && exports < 60) {
                ExportOptions o;
                o.view = ViewExporter::viewNames()[rng.bounded(3)]; // diff needs B; covered elsewhere
                o.width = 200 + rng.bounded(400);
                o.height = 200 + rng.bounded(400);
                o.head = window.viewControls()->head();
                const QString suffix = QStringList{QStringLiteral("png"), QStringLiteral("svg"), QStringLiteral("pdf")}[rng.bounded(3)];
                ViewExporter::exportView(dir.filePath(QStringLiteral("e%1.%2").arg(step).arg(suffix)), window.current(), nullptr, o);
                ++exports;
            }
            break;
        case 10: {
            const QString path = dir.filePath(QStringLiteral("s.attnscope"));
            if (rng.bounded(2))
                window.saveSession(path);
            else
                window.openSession(path);
            break;
        }
        case 11:
            if (window.current()) {
                HeatmapView* map = window.heatmap();
                const auto& r = *window.current()->result;
                map->tooltipText(rng.bounded(r.queryCount), rng.bounded(r.keyCount));
                map->selectQuery(rng.bounded(r.queryCount));
                if (rng.bounded(4) == 0)
                    map->zoomIn();
            }
            window.errorBanner()->dismiss();
            break;
        }
        QCoreApplication::processEvents();
        if (step % 50 == 0)
            QTest::qWait(rng.bounded(200)); // let some computations finish, others get superseded
    }
    // Still alive and still right: a known sample gives its known number.
    QSignalSpy finished(window.worker(), &AttentionWorker::finished);
    QVERIFY(window.openSample(QStringLiteral("seed000-cross")));
    QVERIFY(finished.wait(10000));
    QTest::qWait(300);
    QVERIFY(std::abs(window.current()->result->weight(0, 0, 0, 3) - 9.932621e-01) < 1e-6);
    qInfo("exports written: %d", exports);
}

QTEST_MAIN(TestMonkey)
#include "tst_monkey.moc"
