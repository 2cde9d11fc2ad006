"""Makes deploy/bench/time-to-accuracy.sh's tables from its per-run lines.

Each line is `time-to-accuracy run=NAME ... key=value ...`: per-epoch lines (run, batch, repeat, epoch,
seconds = training seconds so far, test_accuracy) from Tributary and single-process DL4J, `failed=1` for
a run that failed or was killed (it never reaches a target), and one line per run from the peer
(torch_peer.py --target-accuracy: time_to_accuracy_s and epochs_to_accuracy for one target, or
time_to_T_s and epochs_to_T for each of several; lr and schedule name its recipe). Medians of an even number of
runs take the later of the two middle ones.
Prints, as Markdown: the median time to each target per configuration with its ratio to the peer's
best, and the median test accuracy after each epoch (equal epochs).
    python3 deploy/bench/time_to_accuracy_table.py --targets 0.88,0.90 RESULTS...
"""
import argparse
import math
import statistics
from collections import defaultdict


def fields(line):
    return dict(token.split("=", 1) for token in line.split()[1:] if "=" in token)


def median(values):
    """The median (of an even count, the later middle one), an unreached target counting as infinitely
    late; None when that is the median."""
    m = statistics.median_high(sorted(values))
    return None if math.isinf(m) else m


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--targets", default="0.88,0.90")
    p.add_argument("results", nargs="+", help="results files (of one sitting)")
    a = p.parse_args()
    targets = [float(t) for t in a.targets.split(",")]

    epochs = defaultdict(dict)        # (run, batch) -> repeat -> [(epoch, seconds, accuracy)]
    peer = defaultdict(list)          # (batch, recipe, target) -> [(seconds or inf, epochs)]
    lines = [(path, line) for path in a.results for line in open(path)]
    for path, line in lines:
        if not line.startswith("time-to-accuracy "):
            continue
        f = fields(line)
        repeat = (path, f["repeat"])
        if f["run"] == "peer":
            recipe = f"Adam {float(f.get('lr', '0.001')):g}, {f.get('schedule', 'constant').replace('onecycle/', 'one-cycle over ')}"
            if recipe.endswith(tuple("0123456789")):
                recipe += " epochs"
            if "time_to_accuracy_s" in f:     # one target per run
                found = {float(f["target_accuracy"]): (f["time_to_accuracy_s"], f["epochs"])}
            else:                             # every target of one run: time_to_T_s, epochs_to_T
                found = {float(k[len("time_to_"):-len("_s")]): (v, f.get("epochs_to_" + k[len("time_to_"):-len("_s")]))
                         for k, v in f.items() if k.startswith("time_to_") and k.endswith("_s")}
            for target, (seconds, epochs_to) in found.items():
                reached = seconds != "none"
                peer[(int(f["batch"]), recipe, target)].append(
                    (float(seconds) if reached else math.inf, int(epochs_to) if reached else int(f["epochs"])))
        elif "failed" in f:
            epochs[(f["run"], int(f["batch"]))].setdefault(repeat, [])
        else:
            epochs[(f["run"], int(f["batch"]))].setdefault(repeat, []).append(
                (int(f["epoch"]), float(f["seconds"]), float(f["test_accuracy"])))

    rows = []                         # (name, batch, {target: (median seconds, median epochs, reached, runs)})
    for (batch, recipe, target), runs in sorted(peer.items()):
        name = f"torch peer ({recipe})"
        row = next((r for r in rows if r[0] == name and r[1] == batch), None)
        if row is None:
            row = (name, batch, {})
            rows.append(row)
        row[2][target] = summary(runs)
    for (name, batch), repeats in sorted(epochs.items()):
        row = (display(name), batch, {})
        for target in targets:
            runs = []
            for per_epoch in repeats.values():
                hit = next((e for e in sorted(per_epoch) if e[2] >= target), None)
                runs.append((hit[1], hit[0]) if hit else (math.inf, max((e[0] for e in per_epoch), default=0)))
            row[2][target] = summary(runs)
        rows.append(row)

    best = {}
    for target in targets:
        peer_times = [(r[2][target][0], r[1], r[0]) for r in rows if r[0].startswith("torch peer") and r[2].get(target)
                      and r[2][target][0] is not None]
        best[target] = min(peer_times) if peer_times else None
    head = " | ".join(f"time to {t:.2f}: s (epochs) | peer's best / this" for t in targets)
    print(f"| run | batch | {head} |")
    print("| --- | ---: |" + " ---: | ---: |" * len(targets))
    for name, batch, by_target in rows:
        cells = []
        for target in targets:
            s = by_target.get(target)
            if s is None:
                cells += ["not run", ""]
                continue
            seconds, epochs_median, reached, n = s
            if seconds is None:
                cells += [f"not reached in {epochs_median} epochs ({reached} of {n} runs did)", ""]
                continue
            note = "" if reached == n else f", {reached} of {n} runs"
            cells.append(f"{seconds:.1f} ({epochs_median}{note})")
            cells.append(f"{best[target][0] / seconds:.2f}x" if best[target] else "")
        print(f"| {name} | {batch} | " + " | ".join(cells) + " |")
    for target in targets:
        if best[target]:
            print(f"\npeer's best time to {target:.2f}: {best[target][0]:.1f} s at batch {best[target][1]}, "
                  f"{best[target][2][len('torch peer ('):-1]}", end="")
    print("\n\nmedians over runs (of an even count, the later middle one); an unreached target or a failed run"
          " counts as later than any time; training seconds only\n")

    most = max((e[0] for reps in epochs.values() for r in reps.values() for e in r), default=0)
    print("| run | batch | " + " | ".join(f"test acc, epoch {e}" for e in range(1, most + 1)) + " |")
    print("| --- | ---: |" + " ---: |" * most)
    for (name, batch), repeats in sorted(epochs.items()):
        cells = []
        for e in range(1, most + 1):
            acc = [x[2] for r in repeats.values() for x in r if x[0] == e]
            cells.append(f"{statistics.median_high(acc):.4f} ({len(acc)})" if acc else "")
        print(f"| {display(name)} | {batch} | " + " | ".join(cells) + " |")
    print("\nmedian test accuracy after each epoch (runs with that epoch); single-process runs stop at the last target")


def display(name):
    """A run's name for the tables: a Tributary run of E epochs (run=NAME/E) is a recipe of its own (train's
    default one-cycle schedule spans a run's epochs)."""
    base, _, length = name.partition("/")
    return NAMES.get(base, base) + (f", {length}-epoch run" if length else "")


NAMES = {"single": "DL4J single process", "param-avg": "Tributary local[2], parameter averaging",
         "shared-gradients": "Tributary local[2], shared gradients",
         "cluster-param-avg": "Tributary 2-worker cluster, parameter averaging"}


def summary(runs):
    """(median seconds or None, its epochs (None: the most any run trained), runs reaching the target, runs)
    of (seconds, epochs) pairs."""
    ordered = sorted(runs)
    mid = ordered[len(ordered) // 2]
    seconds = median([r[0] for r in runs])
    return (seconds, mid[1] if seconds is not None else max(r[1] for r in runs),
            sum(1 for r in runs if not math.isinf(r[0])), len(runs))


if __name__ == "__main__":
    main()
