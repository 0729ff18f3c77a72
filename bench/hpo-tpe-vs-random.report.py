"""The report of bench/hpo-tpe-vs-random: reads the searches' results and the trials' summaries and
prints markdown tables (every trial, then per seed the best trial by evaluation AUC of each search,
then the TPE - random test-AUC differences). Usage: hpo-tpe-vs-random.report.py RUNS_DIR SEEDS"""
import csv
import json
import re
import statistics
import sys
from pathlib import Path

runs, seeds = Path(sys.argv[1]), int(sys.argv[2])
METRIC = "auc"


def test_auc(run_dir):
    summary = json.loads((Path(run_dir) / "summary.json").read_text())
    if summary["test"]["split"] != "test":
        sys.exit(f"{run_dir}: the summary reports the {summary['test']['split']} split, not the test split")
    return summary["test"]["metrics"][METRIC], int(summary["test"]["rows"])


def search(name):
    """Every trial (number, params, eval AUC, status, seconds, test AUC) and the hpo's best trial."""
    directory = runs / name
    rows = list(csv.DictReader(open(directory / "results.csv", newline="")))
    best = int(re.search(r"Best trial (\d+)", (directory / "best_config.pbtxt").read_text()).group(1))
    trials = []
    for r in rows:
        params = {k: v for k, v in r.items() if k.startswith(("train_config", "model_config"))}
        test, _ = test_auc(r["run_dir"]) if r["status"] != "FAILED" else (float("nan"), 0)
        trials.append({"trial": int(r["trial"]), "params": params, "eval": float(r[METRIC]) if r[METRIC] else float("nan"),
                       "status": r["status"], "seconds": float(r["seconds"]), "test": test})
    return trials, next(t for t in trials if t["trial"] == best)


def short(path):
    return {"train_config.dense_optimizer.learning_rate.initial": "dense lr",
            "train_config.sparse_optimizer.learning_rate.initial": "sparse lr",
            "model_config.deepfm.dnn.hidden_units": "MLP", "model_config.deepfm.dnn.dropout": "dropout"}.get(path, path)


per_seed = []
for seed in range(1, seeds + 1):
    default = json.loads((runs / f"default-seed-{seed}" / "summary.json").read_text())
    default_test, test_rows = test_auc(runs / f"default-seed-{seed}")
    row = {"seed": seed, "default_eval": default["best_evaluation"]["metrics"][METRIC], "default_test": default_test, "test_rows": test_rows}
    for algorithm in ("random", "tpe"):
        trials, best = search(f"{algorithm}-seed-{seed}")
        row[algorithm] = best
        row[algorithm + "_trials"] = trials
        paths = list(trials[0]["params"])
        print(f"\n### {algorithm} search, seed {seed}\n")
        print("| trial | " + " | ".join(short(p) for p in paths) + " | eval AUC | test AUC | status | seconds |")
        print("|" + " --- |" * (len(paths) + 5))
        for t in trials:
            mark = "**" if t is best else ""
            print(f"| {t['trial']} | " + " | ".join(t["params"][p] for p in paths)
                  + f" | {mark}{t['eval']:.4f}{mark} | {t['test']:.4f} | {t['status']} | {t['seconds']:.0f} |")
    per_seed.append(row)

print(f"\n### Best trial of each search by evaluation AUC (test: {per_seed[0]['test_rows']} rows, scored once per trial)\n")
print("| seed | default eval AUC | default test AUC | random: best trial | eval AUC | test AUC | TPE: best trial | eval AUC | test AUC | TPE - random test AUC |")
print("| --- |" + " --- |" * 9)
diffs = []
for r in per_seed:
    d = r["tpe"]["test"] - r["random"]["test"]
    diffs.append(d)
    print(f"| {r['seed']} | {r['default_eval']:.4f} | {r['default_test']:.4f} | {r['random']['trial']} | {r['random']['eval']:.4f} | "
          f"{r['random']['test']:.4f} | {r['tpe']['trial']} | {r['tpe']['eval']:.4f} | {r['tpe']['test']:.4f} | {d:+.4f} |")


def spread(name, values):
    sd = statistics.stdev(values) if len(values) > 1 else float("nan")
    return (f"{name}: mean {statistics.mean(values):+.4f}, std {sd:.4f}, min {min(values):+.4f}, max {max(values):+.4f}, "
            f"median {statistics.median(values):+.4f}")


eval_diffs = [r["tpe"]["eval"] - r["random"]["eval"] for r in per_seed]
print()
print("- " + spread("TPE - random, test AUC", diffs)
      + f"; TPE higher on {sum(d > 0 for d in diffs)} of {len(diffs)} seeds, lower on {sum(d < 0 for d in diffs)}, equal on {sum(d == 0 for d in diffs)}")
print("- " + spread("TPE - random, best eval AUC", eval_diffs)
      + f"; TPE higher on {sum(d > 0 for d in eval_diffs)} of {len(eval_diffs)} seeds")
for algorithm in ("random", "tpe"):
    print("- " + spread(f"{algorithm} best trial - default, test AUC", [r[algorithm]["test"] - r["default_test"] for r in per_seed]))
print("- " + spread("default test AUC", [r["default_test"] for r in per_seed]).replace("+", ""))


def ranks(values):
    order = sorted(range(len(values)), key=lambda i: values[i])
    r = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2
        i = j + 1
    return r


# How well the evaluation period ranks trials as the test period would: the noise any choice by evaluation AUC carries.
finished = [t for r in per_seed for a in ("random", "tpe") for t in r[a + "_trials"] if t["status"] != "FAILED"]
def spearman(trials):
    rank_eval, rank_test = ranks([t["eval"] for t in trials]), ranks([t["test"] for t in trials])
    mean_rank = (len(trials) - 1) / 2
    covariance = sum((a - mean_rank) * (b - mean_rank) for a, b in zip(rank_eval, rank_test))
    return covariance / (sum((a - mean_rank) ** 2 for a in rank_eval) * sum((b - mean_rank) ** 2 for b in rank_test)) ** 0.5


# TPE's startup trials are random search's own, so they count twice here.
top = sorted(finished, key=lambda t: t["eval"], reverse=True)[:len(finished) // 4]
print(f"- Spearman rank correlation of eval AUC and test AUC: {spearman(finished):.3f} over all {len(finished)} trial runs "
      f"(both samplers, every seed), {spearman(top):.3f} over the quarter with the best eval AUC")
