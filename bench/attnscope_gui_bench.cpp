// attnscope-gui-bench: what a person waits for in the window and in exports, measured on the real
// widgets (offscreen by default): the heatmap's first replot after a new computation, pan and
// zoom replots (the level-of-detail image is rebuilt for the visible region), and PNG export of
// a large map. Prints one JSON line per measurement, then a table:
//   {"case":"heatmap-first-replot","n":4096,"median_ms":31.2,"min_ms":29.8,"max_ms":33.0,"repeats":7,...}
//
//   attnscope-gui-bench [--sizes 4096,16384] [--repeats R] [--export-size 4096]
//   attnscope-gui-bench --model DIR [--tokens 4096] [--repeats R]
//
// With --model: the whole window (MainWindow, offscreen) opens a prompt of about --tokens tokens on
// that checkpoint, as a person would through a session, and a 1 ms timer on the event loop records
// every stall while the forward runs on the worker, the result arrives, the heatmap shows head 0
// and the heads grid's tiles are made (maps on demand: the capture would not fit). Prints the
// longest stall, stalls over 50 ms, the time to the heatmap and to the last tile, and the time to
// show other heads (each map made on demand). Target (issue: long prompts): longest stall <= 50 ms.
// The attention maps are computed once per size (not timed here: attnscope-bench times the
// engine). Targets (issue: performance): N = 4096 first replot <= 50 ms, pan/zoom <= 16 ms;
// PNG export of a 4096 x 4096 heatmap <= 0.5 s.
#include "AttentionEngine.h"
#include "Computation.h"
#include "ExportJob.h"
#include "ExportOptions.h"
#include "HeadGridView.h"
#include "HeatmapView.h"
#include "MainWindow.h"
#include "MallocTuning.h"
#include "Pcg32.h"
#include "Session.h"
#include "ViewExporter.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTimer>
#include <qcustomplot.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

namespace {

double peakRssMb()
{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmHWM:", 0) == 0)
            return std::atof(line.c_str() + 6) / 1024.0;
    return 0.0;
}

struct Measurement {
    std::string name;
    int n = 0;
    double medianMs = 0.0;
    double minMs = 0.0;
    double maxMs = 0.0;
    int repeats = 0;
    double targetMs = 0.0;
    std::string detail;
};

Measurement measure(const std::string& name, int n, int repeats, double targetMs, const std::function<void()>& run)
{
    std::vector<double> times;
    for (int r = 0; r < repeats; ++r) {
        QElapsedTimer t;
        t.start();
        run();
        times.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
    }
    std::sort(times.begin(), times.end());
    const size_t mid = times.size() / 2;
    Measurement m;
    m.name = name;
    m.n = n;
    m.medianMs = times.size() % 2 ? times[mid] : 0.5 * (times[mid - 1] + times[mid]);
    m.minMs = times.front();
    m.maxMs = times.back();
    m.repeats = repeats;
    m.targetMs = targetMs;
    std::printf("{\"case\":\"%s\",\"n\":%d,\"median_ms\":%.3f,\"min_ms\":%.3f,\"max_ms\":%.3f,\"repeats\":%d,"
                "\"target_ms\":%.0f,\"peak_rss_mb\":%.1f}\n",
        name.c_str(), n, m.medianMs, m.minMs, m.maxMs, repeats, targetMs, peakRssMb());
    std::fflush(stdout);
    return m;
}

ComputationPtr makeComputation(int n)
{
    attn::AttentionInput in;
    in.keys = attn::Matrix(n, 16);
    attn::Pcg32 rng(11);
    for (int i = 0; i < n; ++i) {
        for (int c = 0; c < 16; ++c)
            in.keys(i, c) = rng.uniform(-2, 2);
        in.keyLabels.push_back("t" + std::to_string(i));
    }
    attn::Mechanism m;
    m.keepScores = false;
    auto result = attn::AttentionEngine::compute(in, m);
    if (!result) {
        std::fprintf(stderr, "attnscope-gui-bench: N=%d: %s\n", n, result.error().c_str());
        std::exit(1);
    }
    auto c = std::make_shared<Computation>();
    c->mechanism = m;
    c->result = std::make_shared<const attn::AttentionResult>(std::move(*result));
    return c;
}

bool parseList(const char* v, std::vector<int>& out)
{
    out.clear();
    for (const QString& part : QString::fromLatin1(v).split(QLatin1Char(','))) {
        bool ok = false;
        const int x = part.toInt(&ok);
        if (!ok || x < 1)
            return false;
        out.push_back(x);
    }
    return !out.empty();
}

// A prompt of about `tokens` tokens for a byte-level or BPE tokenizer: plain lowercase words.
std::string longPrompt(int tokens)
{
    static const char* words[] = {"the", "little", "model", "reads", "a", "long", "story", "about", "heads", "and",
        "tokens", "that", "attend", "to", "each", "other", "in", "every", "layer", "again"};
    std::string out;
    attn::Pcg32 rng(5);
    while (static_cast<int>(out.size()) < tokens - 8) {
        out += words[rng.next() % 20];
        out += ' ';
    }
    out.resize(static_cast<size_t>(std::max(tokens - 1, 1)));
    return out;
}

int longPromptCase(const std::string& model, int tokens, int repeats)
{
    QTemporaryDir dir;
    attn::Session session;
    session.input.kind = attn::InputKind::Model;
    session.input.path = model;
    session.input.text = longPrompt(tokens);
    const QString sessionPath = dir.filePath(QStringLiteral("long.attnscope"));
    {
        std::ofstream out(sessionPath.toStdString());
        out << attn::SessionFile::serialize(session);
    }
    MainWindow window;
    window.resize(1400, 900);
    window.show();
    QApplication::processEvents();
    auto* heatmap = window.findChild<HeatmapView*>();
    auto* grid = window.findChild<HeadGridView*>();
    if (!heatmap || !grid) {
        std::fprintf(stderr, "attnscope-gui-bench: the window has no heatmap or heads grid\n");
        return 1;
    }
    // The event loop's stalls: the gap between two ticks of a 1 ms timer, less the interval.
    QElapsedTimer clock;
    clock.start();
    qint64 lastTick = 0;
    double longest = 0.0, longestAt = 0.0;
    int over50 = 0;
    QTimer ticker;
    ticker.setTimerType(Qt::PreciseTimer);
    ticker.setInterval(1);
    QObject::connect(&ticker, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        const double gap = static_cast<double>(now - lastTick) / 1e6 - 1.0;
        if (gap > longest) {
            longest = gap;
            longestAt = static_cast<double>(now) / 1e6;
        }
        if (gap > 50.0)
            ++over50;
        if (gap > 30.0 && std::getenv("ATTNSCOPE_BENCH_STALLS")) // when each long stall began and ended
            std::fprintf(stderr, "stall %.1f ms: %.1f .. %.1f ms (steady clock)\n", gap,
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count() - gap,
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count());
        lastTick = now;
    });
    const ComputationPtr startup = heatmap->computation(); // the start-up sample
    lastTick = clock.nsecsElapsed();
    ticker.start();
    const QString error = window.openSession(sessionPath);
    if (!error.isEmpty()) {
        std::fprintf(stderr, "attnscope-gui-bench: %s\n", qPrintable(error));
        return 1;
    }
    double shownMs = -1.0, tilesMs = -1.0;
    int n = 0;
    bool onDemand = false;
    // The event loop sleeps between events, as the app's does (a loop spinning processEvents() would
    // hold a core the workers need); a 5 ms check ends it once the heatmap and every tile are shown.
    QEventLoop loop;
    QTimer check;
    check.setInterval(5);
    QObject::connect(&check, &QTimer::timeout, [&] {
        const ComputationPtr c = heatmap->computation();
        if (c && c != startup && !c->result->source.empty() && shownMs < 0) { // the checkpoint's result
            shownMs = static_cast<double>(clock.nsecsElapsed()) / 1e6;
            n = c->result->queryCount;
            onDemand = c->result->mapsOnDemand();
        }
        if ((shownMs >= 0 && !grid->tilesPending()) || clock.elapsed() > 30 * 60 * 1000) {
            if (shownMs >= 0)
                tilesMs = static_cast<double>(clock.nsecsElapsed()) / 1e6;
            loop.quit();
        }
    });
    check.start();
    loop.exec();
    check.stop();
    ticker.stop();
    if (shownMs < 0) {
        std::fprintf(stderr, "attnscope-gui-bench: no result after 30 minutes\n");
        return 1;
    }
    std::printf("{\"case\":\"gui-long-prompt\",\"n\":%d,\"maps_on_demand\":%s,\"longest_stall_ms\":%.1f,"
                "\"longest_stall_at_ms\":%.0f,\"stalls_over_50ms\":%d,\"heatmap_shown_ms\":%.0f,\"tiles_done_ms\":%.0f,"
                "\"target_ms\":50,\"peak_rss_mb\":%.1f}\n",
        n, onDemand ? "true" : "false", longest, longestAt, over50, shownMs, tilesMs, peakRssMb());
    std::fflush(stdout);
    // Any head: each a map made from the trace (or the cache) and its level-of-detail image.
    const auto& r = *heatmap->computation()->result;
    attn::Pcg32 rng(9);
    Measurement m = measure("gui-show-another-head", n, repeats, 50, [&] {
        heatmap->setHead(static_cast<int>(rng.next() % static_cast<uint32_t>(r.layers)),
            static_cast<int>(rng.next() % static_cast<uint32_t>(r.heads)));
        // Until the head is on screen: its map is made on a worker (the loop sleeps meanwhile).
        while (heatmap->isMapPending())
            QApplication::processEvents(QEventLoop::WaitForMoreEvents);
        heatmap->plot()->replot(QCustomPlot::rpImmediateRefresh);
        QApplication::processEvents();
    });
    // Its parts: a map made (the cache bypassed: a head not asked for yet), and a head shown again.
    int next = 0;
    Measurement made = measure("map-on-demand", n, repeats, 100, [&] {
        const int k = r.layers * r.heads - 1 - next++;
        auto map = r.headMap(k / r.heads, k % r.heads);
        if (!map)
            std::exit(1);
    });
    Measurement again = measure("gui-show-cached-head", n, repeats, 50, [&] {
        heatmap->setHead(0, next++ % 2);
        heatmap->plot()->replot(QCustomPlot::rpImmediateRefresh);
        QApplication::processEvents();
    });
    // File > Export, every head of a layer one PNG each (1600 x 1200): the old way, on the GUI thread
    // (each file's time is a stall), and as the app does it now (ViewExportJob: maps made and files
    // encoded on workers), the loop's longest stall over the whole job.
    ExportOptions eo;
    eo.layer = r.layers - 1; // not shown yet: no map in the cache
    eo.range = QStringLiteral("log");
    int syncHead = 0;
    Measurement syncExport = measure("export-head-png-on-gui", n, std::min(repeats, r.heads), 50, [&] {
        ExportOptions one = eo;
        one.layer = r.layers - 2;
        one.head = syncHead++;
        const QString error = ViewExporter::exportView(dir.filePath(QStringLiteral("sync.png")), heatmap->computation(), nullptr, one);
        if (!error.isEmpty())
            std::exit(1);
    });
    const double forwardLongest = longest;
    longest = 0.0;
    lastTick = clock.nsecsElapsed();
    ticker.start();
    const qint64 jobStart = clock.nsecsElapsed();
    ExportJob* job = window.exportPicturesInBackground(dir.filePath(QStringLiteral("each.png")), eo, true);
    QString jobError = QStringLiteral("unfinished");
    QEventLoop jobLoop;
    QObject::connect(job, &ExportJob::finished, &jobLoop, [&](const QString& e) {
        jobError = e;
        jobLoop.quit();
    });
    jobLoop.exec();
    ticker.stop();
    const double jobMs = static_cast<double>(clock.nsecsElapsed() - jobStart) / 1e6;
    if (!jobError.isEmpty()) {
        std::fprintf(stderr, "attnscope-gui-bench: export: %s\n", qPrintable(jobError));
        return 1;
    }
    std::printf("{\"case\":\"export-each-head-png-job\",\"n\":%d,\"files\":%d,\"total_ms\":%.0f,\"longest_stall_ms\":%.1f,"
                "\"target_ms\":50,\"peak_rss_mb\":%.1f}\n",
        n, r.heads, jobMs, longest, peakRssMb());
    std::printf("\n%-24s %7s %9s %11s %9s %9s\n", "case", "N", "min ms", "median ms", "max ms", "target");
    std::printf("%-24s %7d %9.2f %11.2f %9.2f %9.0f  %s\n", syncExport.name.c_str(), syncExport.n, syncExport.minMs,
        syncExport.medianMs, syncExport.maxMs, syncExport.targetMs, "(each file: a stall, before)");
    std::printf("%-24s %7d %9s %11.1f %9s %9d  %s (%d files in %.0f ms)\n", "export-job-longest-stall", n, "", longest, "",
        50, longest <= 50.0 ? "within" : "OVER", r.heads, jobMs);
    for (const Measurement* x : {&made, &again})
        std::printf("%-24s %7d %9.2f %11.2f %9.2f %9.0f  %s\n", x->name.c_str(), x->n, x->minMs, x->medianMs, x->maxMs,
            x->targetMs, x->medianMs <= x->targetMs ? "within" : "OVER");
    std::printf("%-24s %7d %9s %11.1f %9s %9d  %s\n", "gui-longest-stall", n, "", forwardLongest, "", 50,
        forwardLongest <= 50.0 ? "within" : "OVER");
    std::printf("%-24s %7d %9.2f %11.2f %9.2f %9.0f  %s\n", m.name.c_str(), m.n, m.minMs, m.medianMs, m.maxMs, m.targetMs,
        m.medianMs <= m.targetMs ? "within" : "OVER");
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    attn::MallocTuning::useHugePages(argv); // as the app does
    std::vector<int> sizes{4096, 16384};
    int repeats = 7;
    std::string model;
    int tokens = 4096;
    int exportSide = 4096;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> const char* {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "attnscope-gui-bench: %s needs a value\n", a.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--sizes") {
            if (!parseList(value(), sizes)) {
                std::fprintf(stderr, "attnscope-gui-bench: --sizes: not a list of positive whole numbers\n");
                return 2;
            }
        } else if (a == "--repeats") {
            repeats = std::atoi(value());
            if (repeats < 1) {
                std::fprintf(stderr, "attnscope-gui-bench: --repeats must be at least 1\n");
                return 2;
            }
        } else if (a == "--export-size") {
            exportSide = std::atoi(value());
            if (exportSide < 16 || exportSide > 16384) {
                std::fprintf(stderr, "attnscope-gui-bench: --export-size must be 16..16384\n");
                return 2;
            }
        } else if (a == "--model") {
            model = value();
        } else if (a == "--tokens") {
            tokens = std::atoi(value());
            if (tokens < 2) {
                std::fprintf(stderr, "attnscope-gui-bench: --tokens must be at least 2\n");
                return 2;
            }
        } else if (a == "-h" || a == "--help") {
            std::printf("usage: attnscope-gui-bench [--sizes 4096,16384] [--repeats R] [--export-size PX]\n"
                        "       attnscope-gui-bench --model DIR [--tokens 4096] [--repeats R]\n");
            return 0;
        } else {
            std::fprintf(stderr, "attnscope-gui-bench: unknown argument '%s'\n", a.c_str());
            return 2;
        }
    }
    QApplication app(argc, argv);
    if (!model.empty())
        return longPromptCase(model, tokens, repeats);
    QTemporaryDir dir;
    std::vector<Measurement> all;
    for (int n : sizes) {
        const ComputationPtr c = makeComputation(n);
        HeatmapView view;
        view.resize(1400, 900);
        view.show();
        QApplication::processEvents();
        QCustomPlot* plot = view.plot();
        // First replot: a new computation arrives (each repeat a fresh snapshot of the same map,
        // as after a recompute), the level-of-detail image is built and painted.
        all.push_back(measure("heatmap-first-replot", n, repeats, 50, [&] {
            auto copy = std::make_shared<Computation>(*c);
            view.setComputation(copy);
            plot->replot(QCustomPlot::rpImmediateRefresh);
            QApplication::processEvents();
        }));
        // Zoomed in to a quarter, then panned by a tenth of the visible width per step.
        view.resetZoom();
        plot->xAxis->setRange(n * 0.25, n * 0.5);
        plot->yAxis->setRange(n * 0.25, n * 0.5);
        plot->replot(QCustomPlot::rpImmediateRefresh);
        const double step = n * 0.025;
        int direction = 1;
        all.push_back(measure("heatmap-pan", n, repeats * 3, 16, [&] {
            plot->xAxis->moveRange(direction * step);
            plot->yAxis->moveRange(direction * step);
            direction = -direction;
            plot->replot(QCustomPlot::rpImmediateRefresh);
            QApplication::processEvents();
        }));
        bool in = true;
        all.push_back(measure("heatmap-zoom", n, repeats * 3, 16, [&] {
            const double f = in ? 0.8 : 1.25;
            in = !in;
            plot->xAxis->scaleRange(f, plot->xAxis->range().center());
            plot->yAxis->scaleRange(f, plot->yAxis->range().center());
            plot->replot(QCustomPlot::rpImmediateRefresh);
            QApplication::processEvents();
        }));
        if (n == 4096 || sizes.size() == 1) {
            ExportOptions o;
            o.view = QStringLiteral("heatmap");
            o.width = exportSide;
            o.height = exportSide;
            const QString path = dir.filePath(QStringLiteral("heatmap.png"));
            QString error;
            Measurement m = measure("png-export", n, std::max(3, repeats / 2), 500, [&] {
                error = ViewExporter::exportView(path, c, nullptr, o);
            });
            if (!error.isEmpty()) {
                std::fprintf(stderr, "attnscope-gui-bench: export: %s\n", qPrintable(error));
                return 1;
            }
            m.detail = std::to_string(exportSide) + "x" + std::to_string(exportSide) + " px, " +
                       std::to_string(QFileInfo(path).size() / 1024) + " KiB";
            all.push_back(m);
        }
    }
    std::printf("\n%-22s %7s %9s %11s %9s %9s  %s\n", "case", "N", "min ms", "median ms", "max ms", "target", "");
    for (const Measurement& m : all)
        std::printf("%-22s %7d %9.2f %11.2f %9.2f %9.0f  %s%s\n", m.name.c_str(), m.n, m.minMs, m.medianMs, m.maxMs,
            m.targetMs,
            m.medianMs <= m.targetMs ? "within" : "OVER", m.detail.empty() ? "" : ("  (" + m.detail + ")").c_str());
    return 0;
}
