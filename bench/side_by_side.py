#!/usr/bin/env python3
"""LayerLab against a plain PyTorch loop, and LayerLab's own overheads, in one invocation.

Run through bench/run, which builds what this needs and names the build directory. Every
training case runs as its own process with the same thread count, the same OpenMP settings and
the same BLAS. The two sides of each comparison run next to each other, in turns, so that both see
the same load from other work on the machine; a repetition's ratio compares each side's fastest
epoch after its runs' first (which pays for warm-up; other work only ever slows an epoch down),
and a RATIO line is the median of the repetitions' ratios. The table shows each case's epochs
over every repetition.

Settings (environment): BENCH_REPS (5), BENCH_EPOCHS (3), BENCH_THREADS (every core),
BENCH_MLP_LIMIT (0: all 60,000 images), BENCH_CNN_LIMIT (20000), BENCH_CHART_POINTS (1000000).
"""

import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)


def env_int(name, default):
    value = os.environ.get(name, "")
    return int(value) if value else default


REPS = env_int("BENCH_REPS", 5)
EPOCHS = env_int("BENCH_EPOCHS", 3)
THREADS = env_int("BENCH_THREADS", os.cpu_count() or 1)
MLP_LIMIT = env_int("BENCH_MLP_LIMIT", 0)
CNN_LIMIT = env_int("BENCH_CNN_LIMIT", 20000)
CHART_POINTS = env_int("BENCH_CHART_POINTS", 1000000)
LOG_EPOCH_ONLY = 1 << 20  # --log-every larger than any epoch: one sample, at the epoch's end


def template(name):
    return os.path.join(SOURCE, "resources", "templates", name + ".layerlab.json")


def run(cmd, env=None, cwd=None):
    """Runs cmd; returns its standard output, or stops the benchmark with its error."""
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd)
    if result.returncode != 0:
        sys.exit("bench: %s failed (%d):\n%s%s" % (" ".join(cmd), result.returncode,
                                                  result.stdout[-2000:], result.stderr[-2000:]))
    return result.stdout


def key_values(text):
    out = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and " " not in key:
            out[key.strip()] = value.strip()
    return out


def stored_epoch_seconds(db):
    """Seconds of each epoch after the first, from the epoch wall times a run stored."""
    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT epoch, MAX(wall_time) FROM metrics WHERE kind = 'epoch' "
                           "GROUP BY epoch ORDER BY epoch").fetchall()
    walls = [wall for _, wall in rows]
    return [b - a for a, b in zip(walls, walls[1:])]


class Bench:
    def __init__(self, build_dir, python):
        self.build = build_dir
        self.python = python
        self.tmp = tempfile.mkdtemp(prefix="layerlab-bench-")
        self.count = 0
        self.env = dict(os.environ)
        self.env.pop("OMP_NUM_THREADS", None)  # the thread count is given to every case
        self.env["QT_QPA_PLATFORM"] = "offscreen"
        self.env["XDG_CONFIG_HOME"] = os.path.join(self.tmp, "config")  # leave settings alone
        self.epochs = {}  # case -> [seconds per counted epoch]
        self.other = {}  # name -> [values]

    def binary(self, *parts):
        return os.path.join(self.build, *parts)

    def fresh_db(self):
        self.count += 1
        return os.path.join(self.tmp, "run%d.db" % self.count)

    def note(self, case, seconds):
        self.epochs.setdefault(case, []).extend(seconds)

    # --- training cases ---------------------------------------------------------------------
    def pytorch(self, model, batch, limit, threads=THREADS):
        out = run([self.python, os.path.join(HERE, "pytorch_reference.py"), "train",
                   "--model", model, "--batch-size", str(batch), "--epochs", str(EPOCHS),
                   "--threads", str(threads), "--limit", str(limit)], env=self.env)
        return json.loads(out.strip().splitlines()[-1])["epoch_seconds"][1:]

    def cli(self, model, batch, limit, log_every=20):
        db = self.fresh_db()
        run([self.binary("app", "layerlab-cli"), "train", "--model", template(model),
             "--data", "fashion-mnist", "--limit", str(limit), "--epochs", str(EPOCHS),
             "--batch-size", str(batch), "--threads", str(THREADS), "--log-every",
             str(log_every), "--seed", "42", "--db", db], env=self.env)
        return stored_epoch_seconds(db)

    def gui(self, model, batch, limit, log_every=20):
        db = self.fresh_db()
        out = run([self.binary("bench", "gui_session_bench"), "--model", template(model),
                   "--limit", str(limit), "--epochs", str(EPOCHS), "--batch-size", str(batch),
                   "--log-every", str(log_every), "--threads", str(THREADS), "--gui-store", db],
                  env=self.env)
        self.other.setdefault("gui_event_loop", []).extend(
            line for line in out.splitlines() if line.startswith("event loop"))
        return stored_epoch_seconds(db)

    # --- the rest -------------------------------------------------------------------------------
    def data_load(self):
        ours = float(key_values(run([self.binary("bench", "data_load_bench")], env=self.env))
                     ["load_seconds"])
        numpy = json.loads(run([self.python, os.path.join(HERE, "pytorch_reference.py"), "load"],
                               env=self.env).strip().splitlines()[-1])["load_seconds"]
        self.other.setdefault("load_layerlab", []).append(ours)
        self.other.setdefault("load_numpy", []).append(numpy)

    def first_paint(self):
        start = time.monotonic()
        out = key_values(run([self.binary("app", "layerlab"), "--first-paint", "--db",
                              self.fresh_db()], env=self.env))
        spawn_ms = float(out["first_paint_clock_ms"]) - start * 1000.0
        self.other.setdefault("paint_from_spawn", []).append(spawn_ms)
        self.other.setdefault("paint_from_main", []).append(float(out["first_paint_ms"]))

    def chart(self):
        out = key_values(run([self.binary("bench", "chart_bench"), "--points",
                              str(CHART_POINTS)], env=self.env))
        self.other["chart"] = out

    def comparisons(self):
        """(ratio name, case measured, its reference, run ABBA?) — each pair runs side by side."""
        mlp, cnn = ("mlp", 32, MLP_LIMIT), ("cnn", 64, CNN_LIMIT)
        return [
            ("cli_vs_pytorch_mlp", ("cli_mlp", lambda: self.cli(*mlp)),
             ("pytorch_mlp", lambda: self.pytorch(*mlp)), False),
            ("cli_vs_pytorch_cnn", ("cli_cnn", lambda: self.cli(*cnn)),
             ("pytorch_cnn", lambda: self.pytorch(*cnn)), False),
            ("gui_vs_cli", ("gui_mlp", lambda: self.gui(*mlp)),
             ("cli_mlp_beside_gui", lambda: self.cli(*mlp)), True),
            ("logging_overhead", ("cli_mlp_log_batch", lambda: self.cli(*mlp, log_every=1)),
             ("cli_mlp_log_epoch", lambda: self.cli(*mlp, log_every=LOG_EPOCH_ONLY)), True),
            # LayerLab trains batches this small on one thread (kParallelBatchMacs in the
            # trainer); one thread is the plain loop's own best for them too, so it is shown.
            ("cli_vs_pytorch_mlp_1thread", ("cli_mlp", None),
             ("pytorch_mlp_1thread", lambda: self.pytorch(*mlp, threads=1)), False),
        ]

    def run_case(self, rep, name, case):
        started = time.monotonic()
        seconds = case()
        self.note(name, seconds)
        print("  rep %d/%d %-20s %s  (%.0f s)" % (
            rep + 1, REPS, name, " ".join("%.3f" % s for s in seconds),
            time.monotonic() - started), file=sys.stderr, flush=True)
        return seconds

    def measure(self):
        """Each comparison's two cases run next to each other, in turns (A B, then B A), or A B B A
        for the ratios whose targets leave 1-5%: the pair sees the same load, so the ratio of a
        repetition is fair even when the machine's load changes between repetitions."""
        self.pair_ratios = {}
        last_cli_mlp = None
        for rep in range(REPS):
            for ratio, (a_name, a_case), (b_name, b_case), abba in self.comparisons():
                order = [0, 1, 1, 0] if abba else ([0, 1] if rep % 2 == 0 else [1, 0])
                got = ([], [])
                for which in order:
                    name, case = ((a_name, a_case), (b_name, b_case))[which]
                    if case is None:  # measured by an earlier pair in this repetition
                        got[which].extend(last_cli_mlp)
                        continue
                    got[which].extend(self.run_case(rep, name, case))
                if a_name == "cli_mlp" and a_case is not None:
                    last_cli_mlp = got[0]
                # Other work on the machine only ever slows an epoch down: each side's fastest
                # counted epoch in this repetition is the closest to its own cost.
                self.pair_ratios.setdefault(ratio, []).append(min(got[0]) / min(got[1]))
            self.data_load()
            self.first_paint()
        self.chart()


def blas_in_use():
    path = "/usr/lib/x86_64-linux-gnu/libblas.so.3"
    real = os.path.realpath(path) if os.path.exists(path) else "unknown"
    return os.path.basename(os.path.dirname(real)) or real


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def median(values):
    return statistics.median(values) if values else float("nan")


def report(bench):
    e = bench.epochs
    m = {name: median(values) for name, values in e.items()}
    print()
    print("LayerLab bench: %s, %d cores; %d threads per case; BLAS %s; OMP_WAIT_POLICY=%s" % (
        cpu_model(), os.cpu_count() or 0, THREADS, blas_in_use(),
        bench.env.get("OMP_WAIT_POLICY", "(unset)")))
    print("%d repetitions x %d epochs (the first epoch of each run not counted); Fashion-MNIST "
          "mlp on %s images, cnn on %s" % (REPS, EPOCHS, MLP_LIMIT or "all 60,000",
                                           "{:,}".format(CNN_LIMIT) if CNN_LIMIT else "all"))
    print()
    print("%-44s %10s %8s %8s %4s" % ("seconds per epoch (train + validation)", "median",
                                       "min", "max", "n"))
    labels = [
        ("pytorch_mlp", "PyTorch loop, mlp, batch 32"),
        ("pytorch_mlp_1thread", "PyTorch loop, mlp, batch 32, 1 thread"),
        ("cli_mlp", "layerlab-cli train, mlp, batch 32"),
        ("pytorch_cnn", "PyTorch loop, cnn, batch 64"),
        ("cli_cnn", "layerlab-cli train, cnn, batch 64"),
        ("gui_mlp", "GUI TrainingSession (offscreen), mlp"),
        ("cli_mlp_beside_gui", "layerlab-cli, mlp, run beside the GUI's"),
        ("cli_mlp_log_batch", "layerlab-cli mlp, a sample every batch"),
        ("cli_mlp_log_epoch", "layerlab-cli mlp, samples per epoch only"),
    ]
    for name, label in labels:
        values = e.get(name, [])
        print("%-44s %10.3f %8.3f %8.3f %4d" % (label, m.get(name, float("nan")),
                                                min(values, default=float("nan")),
                                                max(values, default=float("nan")), len(values)))
    o = bench.other
    print()
    load_ours, load_numpy = median(o.get("load_layerlab", [])), median(o.get("load_numpy", []))
    print("%-44s %10.3f s (numpy %.3f s, ratio %.2f)" % (
        "Fashion-MNIST load, split, normalise", load_ours, load_numpy, load_ours / load_numpy))
    print("%-44s %10.0f ms (%.0f ms of it after main() started)" % (
        "GUI start to first paint (offscreen)", median(o.get("paint_from_spawn", [])),
        median(o.get("paint_from_main", []))))
    chart = o.get("chart", {})
    print("%-44s %10s ms (after 500 more points: %s ms)" % (
        "chart, %s points: refresh + paint" % "{:,}".format(int(chart.get("chart_points", 0))),
        chart.get("chart_full_refresh_ms", "?"), chart.get("chart_live_refresh_ms", "?")))
    for line in o.get("gui_event_loop", [])[-1:]:
        print("%-44s %s" % ("GUI " + line.split(":")[0], line.split(":", 1)[1].strip()))
    print()
    print("ratios per repetition (fastest epochs of a pair run side by side), then their median:")
    for ratio, values in bench.pair_ratios.items():
        print("  %-30s %s  -> %.3f" % (ratio, " ".join("%.3f" % v for v in values),
                                       median(values)))
    print()
    for ratio in ("cli_vs_pytorch_mlp", "cli_vs_pytorch_cnn", "gui_vs_cli", "logging_overhead"):
        print("RATIO %s=%.3f" % (ratio, median(bench.pair_ratios[ratio])))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: side_by_side.py BUILD_DIR   (bench/run calls it)")
    bench = Bench(os.path.abspath(sys.argv[1]), sys.executable)
    policy = os.environ.get("BENCH_OMP_WAIT_POLICY", "passive")
    if policy != "unset":
        bench.env["OMP_WAIT_POLICY"] = policy.upper()
    print("bench: %d repetitions of %d comparisons; progress below, the table at the end" % (
        REPS, len(bench.comparisons())), file=sys.stderr, flush=True)
    bench.measure()
    report(bench)


if __name__ == "__main__":
    main()
