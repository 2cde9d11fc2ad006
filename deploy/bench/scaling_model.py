#!/usr/bin/env python3
"""The scaling model of Tributary's averaging rounds (docs/performance.md, "Scaling").

Reads the runs deploy/bench/scaling.sh made (WORK/workers-K.metrics.json and .metadata.json: K workers of
one core, one replica each), fits a model of a round on the runs with the two smallest K, prints how far
its prediction for the largest K is from the measurement, part by part, and predicts examples/s, time to
the target accuracy and the averaging frequency it recommends for 8, 32 and 128 executors on 10 and 25
Gbit/s networks.

A round, as AveragingRounds runs it, on K replicas (one an executor), averaging every f minibatches:
    round = g(K) * (f * step + e)              each replica's minibatches and its task's own work (loading
                                               the broadcast state and its examples, copying its state out),
                                               in parallel
          + d0 + d1 * K                        the driver's part: the job's launch, each result's
                                               serialization, transfer (here over loopback) and
                                               deserialization, the average, the next round's broadcast
          + (K + ceil(log2(K + 1))) * S / B    on a network of B bytes/s: K results of S bytes into the
                                               driver, and the broadcast state out (BitTorrent-like)
g(K) is what sharing the machine slows the executors by: fitted linear in K on the calibration machine
(whose executors, driver and daemons share its cores), 1 on a cluster of executors with cores of their
own. step and e come from the smallest run, d0 and d1 from the two smallest. An epoch of N examples is
ceil(N / K / b) minibatches on each replica, in ceil(that / f) rounds. d1 already holds a loopback
transfer of each result, which the network term adds again: the cluster's predictions lean slow.
"""
import argparse
import json
import math
import os
import statistics
import sys


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        sys.exit(f"scaling_model: cannot read {path}: {e}")


def load(work):
    runs = {}
    try:
        names = sorted(os.listdir(work))
    except OSError as e:
        sys.exit(f"scaling_model: cannot list {work}: {e}")
    for name in names:
        k = name[len("workers-"):-len(".metrics.json")] if name.startswith("workers-") and name.endswith(".metrics.json") else ""
        if not k.isdigit():
            continue
        metrics = read_json(os.path.join(work, name))
        metadata = read_json(os.path.join(work, f"workers-{k}.metadata.json"))
        epochs = metrics.get("epochs") or []
        if not epochs or any(not (e.get("rounds") or {}).get("rounds") for e in epochs):
            sys.exit(f"scaling_model: {name} has no epochs, or epochs without \"rounds\": it was not trained with"
                     " averaging rounds (--sync param-avg) by a release that measures them")
        config = metadata.get("config") or {}
        settings = (config.get("batch-size-per-worker"), config.get("averaging-frequency"), epochs[0].get("examples"))
        if None in settings:
            sys.exit(f"scaling_model: workers-{k}.metadata.json or {name} lacks the batch size, averaging frequency or"
                     " examples an epoch")
        runs[int(k)] = {"metrics": metrics, "metadata": metadata, "epochs": epochs, "settings": settings,
                        "created": metadata.get("created", "?")}
    if len(runs) < 2:
        sys.exit(f"scaling_model: {work} holds runs for {sorted(runs)} workers; the model needs at least two")
    first = min(runs)
    for k, run in runs.items():
        if run["settings"] != runs[first]["settings"]:
            sys.exit(f"scaling_model: the run with {k} workers has batch, averaging frequency and examples"
                     f" {run['settings']}, the run with {first} has {runs[first]['settings']}: measure them alike")
    return runs


def per_round(run):
    """Seconds per round of each part, over the epochs after the first (the first warms up the JIT)."""
    epochs = run["epochs"][1:] or run["epochs"]
    parts = {"step": [], "overhead": [], "task": [], "job": [], "average": [], "driver": [], "epoch": []}
    for e in epochs:
        r = e["rounds"]
        n = r["rounds"]
        parts["step"].append(r["slowest_fit_seconds"] / r["steps"])
        parts["overhead"].append((r["seconds"] - r["slowest_fit_seconds"]) / n)
        parts["task"].append((r["slowest_task_seconds"] - r["slowest_fit_seconds"]) / n)
        parts["job"].append((r["job_seconds"] - r["slowest_task_seconds"]) / n)
        parts["average"].append(r["average_seconds"] / n)
        parts["driver"].append((r["seconds"] - r["job_seconds"] - r["average_seconds"]) / n)
        parts["epoch"].append(e["seconds"])
    out = {key: statistics.median(v) for key, v in parts.items()}
    r = run["epochs"][-1]["rounds"]
    out.update(replicas=r["replicas"], state_bytes=r["state_bytes"], rounds=r["rounds"], steps=r["steps"],
               examples=run["epochs"][-1]["examples"])
    return out


def epochs_to(run, target):
    for e in run["epochs"]:
        if e["test_accuracy"] >= target:
            return e["epoch"]
    return None


def epoch_seconds(k, f, b, n, m, bandwidth, g=1.0):
    """Seconds of an epoch and of a round beyond its compute, for model parameters m."""
    batches = math.ceil(n / k / b)
    rounds = math.ceil(batches / f)
    network = 0.0 if bandwidth is None else (k + math.ceil(math.log2(k + 1))) * m["state_bytes"] / bandwidth
    overhead = g * m["e"] + m["d0"] + m["d1"] * k + network
    return batches * g * m["step"] + rounds * overhead, overhead


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--work", required=True)
    p.add_argument("--target", type=float, default=0.90)
    p.add_argument("--cores", type=int, default=os.cpu_count())
    args = p.parse_args()
    runs = load(args.work)
    ks = sorted(runs)
    cal = {k: per_round(runs[k]) for k in ks}
    config = runs[ks[0]]["metadata"]["config"]
    b, f = config["batch-size-per-worker"], config["averaging-frequency"]
    n = cal[ks[0]]["examples"]

    for k in ks:
        print(f"workers-{k}: made {runs[k]['created']}, {len(runs[k]['epochs'])} epochs")
    print(f"Calibration: {n} examples an epoch, batch {b} per replica, averaging every {f}; medians over epochs 2.. of"
          f" each run; {args.cores} cores")
    print(f"{'workers':>7} {'epoch s':>8} {'ex/s':>7} {'step ms':>8} {'beyond ms/round':>16} {'(task':>6} {'job':>6}"
          f" {'average':>8} {'driver)':>8} {'epochs to ' + str(args.target):>15}  test accuracy by epoch")
    for k in ks:
        c = cal[k]
        reached = epochs_to(runs[k], args.target)
        accuracies = ", ".join(f"{e['test_accuracy']:.4f}" for e in runs[k]["epochs"])
        print(f"{k:>7} {c['epoch']:>8.2f} {n / c['epoch']:>7.0f} {1e3 * c['step']:>8.1f} {1e3 * c['overhead']:>16.1f}"
              f" {1e3 * c['task']:>6.1f} {1e3 * c['job']:>6.1f} {1e3 * c['average']:>8.1f} {1e3 * c['driver']:>8.1f}"
              f" {reached if reached else 'not reached':>15}  {accuracies}")

    k1, k2 = ks[0], ks[1]
    driver = {k: cal[k]["job"] + cal[k]["average"] + cal[k]["driver"] for k in ks}
    m = {"step": cal[k1]["step"], "e": cal[k1]["task"], "state_bytes": cal[k1]["state_bytes"]}
    m["d1"] = (driver[k2] - driver[k1]) / (k2 - k1)
    m["d0"] = driver[k1] - k1 * m["d1"]
    slowdown = (cal[k2]["step"] / cal[k1]["step"] - 1) / (k2 - k1)

    def g(k):
        return 1 + slowdown * (k - k1)

    print(f"\nFitted on {k1} and {k2} workers: step {1e3 * m['step']:.1f} ms and a task's own work e ="
          f" {1e3 * m['e']:.1f} ms a round (from {k1}); the driver's part d0 = {1e3 * m['d0']:.1f} ms a round plus"
          f" d1 = {1e3 * m['d1']:.1f} ms a replica; a replica's state S = {m['state_bytes'] / 1e6:.2f} MB; on this"
          f" machine g(K) = 1 + {slowdown:.3f} (K - {k1})")
    for k in ks[2:]:
        predicted, overhead = epoch_seconds(k, f, b, n, m, None, g(k))
        c = cal[k]
        measured = c["epoch"]
        parts = [("step", g(k) * m["step"], c["step"]), ("task's own work", g(k) * m["e"], c["task"]),
                 ("driver's part", m["d0"] + m["d1"] * k, driver[k]), ("beyond compute", overhead, c["overhead"])]
        print(f"Check, {k} workers: predicted {predicted:.2f} s an epoch ({n / predicted:.0f} examples/s), measured"
              f" {measured:.2f} s ({n / measured:.0f} examples/s): off by {100 * (predicted - measured) / measured:+.0f}%")
        for name, p_, mv in parts:
            print(f"    {name:<16} predicted {1e3 * p_:7.1f} ms, measured {1e3 * mv:7.1f} ms"
                  f" ({100 * (p_ - mv) / mv:+.0f}%)")

    largest = ks[-1]
    epochs_needed = epochs_to(runs[largest], args.target)
    if epochs_needed:
        print(f"\nPredicted on a cluster (one core an executor, as calibrated). Time to {args.target} assumes the"
              f" {epochs_needed} epochs {largest} replicas needed: a lower bound, as more replicas needed more epochs"
              " here")
    else:
        print(f"\nPredicted on a cluster (one core an executor, as calibrated). {largest} replicas did not reach"
              f" {args.target} in {len(runs[largest]['epochs'])} epochs: time to it is not predicted")
    print(f"{'executors':>9} {'Gbit/s':>6} {'f':>4} {'s/epoch':>8} {'ex/s':>8} {'computing':>9}"
          f" {'time to ' + str(args.target):>13} {'recommended f':>14} {'s/epoch':>8} {'ex/s':>8} {'computing':>9}"
          f" {'time to ' + str(args.target):>13}")
    for k in (8, 32, 128):
        for gbit in (10, 25):
            bandwidth = gbit * 1e9 / 8
            batches = math.ceil(n / k / b)
            row = []
            for freq in (f, recommend(k, b, n, m, bandwidth)):
                seconds, _ = epoch_seconds(k, freq, b, n, m, bandwidth)
                computing = batches * m["step"] / seconds
                to_target = f"{epochs_needed * seconds:.1f} s" if epochs_needed else "-"
                row.append((freq, seconds, n / seconds, computing, to_target))
            (f0, s0, r0, c0, t0), (f1, s1, r1, c1, t1) = row
            f1_text = f"{f1}" + (" (1 round)" if f1 >= batches else "")
            print(f"{k:>9} {gbit:>6} {f0:>4} {s0:>8.2f} {r0:>8.0f} {100 * c0:>8.0f}% {t0:>13} {f1_text:>14} {s1:>8.2f}"
                  f" {r1:>8.0f} {100 * c1:>8.0f}% {t1:>13}")
    most = (1 << 30) // (m["state_bytes"] + 4096)
    print(f"\nEvery round brings K results of {m['state_bytes'] / 1e6:.2f} MB into the driver, which holds them while it"
          f" averages: at Spark's default spark.driver.maxResultSize (1g) a run of this model is refused above {most}"
          " replicas (set it higher, with the driver's memory to match).")
    for examples in (n, 1_000_000):
        print(f"Rounds that compute 80% of the time, each replica fitting at least 4 x (a round's cost) / step"
              f" minibatches between averagings, keep at most {most_executors(b, examples, m, 1.25e9)} executors"
              f" (10 Gbit/s) or {most_executors(b, examples, m, 3.125e9)} (25 Gbit/s) busy on {examples} examples")
    print(f"{n} examples make {math.ceil(n / 128 / b)} minibatches a replica an epoch on 128 executors: past the"
          " frequency that keeps the rounds' cost under a fifth of a round, more executors add rounds' cost, not"
          " compute.")


def recommend(k, b, n, m, bandwidth):
    """The smallest frequency whose rounds spend at least 80% computing; at most one round an epoch."""
    batches = math.ceil(n / k / b)
    _, overhead = epoch_seconds(k, 1, b, n, m, bandwidth)
    return min(batches, math.ceil(4 * overhead / m["step"]))


def most_executors(b, n, m, bandwidth):
    """The most executors whose rounds can compute 80% of the time on n examples: largest K not capped."""
    best = 0
    for k in range(1, 4097):
        _, overhead = epoch_seconds(k, 1, b, n, m, bandwidth)
        if math.ceil(4 * overhead / m["step"]) <= math.ceil(n / k / b):
            best = k
    return best


if __name__ == "__main__":
    main()
