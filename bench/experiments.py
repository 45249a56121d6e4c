#!/usr/bin/python3
"""Experiments against their references, on the same machine in the same invocation.

1. Parallel trials: an experiment of 8 MLP trials on Fashion-MNIST run with --parallel 2 against
   the same 8 trials run one after another (--parallel 1). RATIO parallel_vs_sequential is the
   ratio of wall times (target <= 0.65 on a 2-core machine).
2. ASHA: 16 trials with --early-stop asha against the same 16 (same seed, so the same points)
   without early termination. RATIO asha_epochs is the share of epochs ASHA trained (target
   <= 0.45); DIFF asha_best is how far ASHA's best objective is below the full experiment's
   (target <= 0.005).

Usage: bench/experiments.py [BUILD_DIR]   (default: build). Settings (environment):
BENCH_EXP_LIMIT (6000 images), BENCH_EXP_EPOCHS (4 for the parallel pair, 9 for ASHA).
"""

import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build")
CLI = os.path.join(BUILD, "app", "layerlab-cli")
MLP = os.path.join(ROOT, "resources", "templates", "mlp.layerlab.json")
LIMIT = os.environ.get("BENCH_EXP_LIMIT", "6000")


def cli(db, *args):
    result = subprocess.run([CLI, *args, "--db", db], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"bench: layerlab-cli {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def create(db, trials, epochs, extra=()):
    out = cli(db, "experiment", "create", "--model", MLP, "--limit", LIMIT, "--epochs",
              str(epochs), "--param", "lr=log:3e-4..3e-2", "--param", "fc1.units=32,64,128",
              "--strategy", "random", "--seed", "7", "--trials", str(trials), "--json", *extra)
    return json.loads(out)["id"]


def run(db, experiment, parallel):
    start = time.monotonic()
    cli(db, "experiment", "run", str(experiment), "--parallel", str(parallel))
    return time.monotonic() - start


def status(db, experiment):
    return json.loads(cli(db, "experiment", "status", str(experiment), "--json"))


def epochs_trained(db, state):
    total = 0
    for trial in state["trials"]:
        shown = json.loads(cli(db, "runs", "show", str(trial["run_id"]), "--json"))
        total += len({row["epoch"] for row in shown.get("epochs", [])})
    return total


def best(state):
    values = [t["objective"] for t in state["trials"] if t["objective"] is not None]
    return max(values) if values else float("nan")


def parallel_pair(folder):
    epochs = int(os.environ.get("BENCH_EXP_EPOCHS", "4"))
    times = {}
    # Sequential first, then parallel, then both again in the other order.
    for order in ((1, 2), (2, 1)):
        for parallel in order:
            db = os.path.join(folder, f"parallel-{parallel}-{len(times)}.db")
            experiment = create(db, 8, epochs)
            times.setdefault(parallel, []).append(run(db, experiment, parallel))
    sequential, side_by_side = min(times[1]), min(times[2])
    print(f"8 trials one after another: {sequential:.1f} s; two side by side: {side_by_side:.1f} s")
    print(f"RATIO parallel_vs_sequential {side_by_side / sequential:.3f}")


def asha_pair(folder):
    epochs = int(os.environ.get("BENCH_EXP_ASHA_EPOCHS", "9"))
    results = {}
    for rule in ("none", "asha"):
        db = os.path.join(folder, f"asha-{rule}.db")
        experiment = create(db, 16, epochs, ("--early-stop", rule))
        seconds = run(db, experiment, 2)
        state = status(db, experiment)
        results[rule] = (epochs_trained(db, state), best(state), seconds)
        stopped = sum(1 for t in state["trials"] if t["status"] == "stopped_early")
        print(f"{rule:>5}: {results[rule][0]} epochs, best {results[rule][1]:.4f}, "
              f"{stopped} stopped early, {seconds:.1f} s")
    print(f"RATIO asha_epochs {results['asha'][0] / results['none'][0]:.3f}")
    print(f"DIFF asha_best {results['none'][1] - results['asha'][1]:.4f}")


def main():
    if not os.access(CLI, os.X_OK):
        sys.exit(f"bench: build first ({CLI} is missing)")
    with tempfile.TemporaryDirectory() as folder:
        parallel_pair(folder)
        asha_pair(folder)


if __name__ == "__main__":
    main()
