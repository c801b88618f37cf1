"""Draws the nano model's training curves and writes them as one CSV, from the runs' logs.

    python3 plot_curves.py --out models/nano/training/curves \\
        "decoder, first generation=image.json,image-resume.json,video-2.json,video-3.json" \\
        "vision tokenizer, second generation=gen2/vq-curve.csv"

Each panel is TITLE=FILES: one or more logs of consecutive runs (a run's JSON log from train_vq.py or
train_decoder.py, or a curve.csv), chained so that steps keep counting across runs. Writes OUT.csv (panel,
run, step, every loss, lr) and OUT.png (losses against step,
log scale; a dotted line where one run hands over to the next).
"""

import argparse
import csv
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

LOSSES = ["loss", "generation", "understanding", "recon"]


def rows_of(path):
    """(step, {column: value}) rows of one run's log."""
    if path.suffix == ".csv":
        with open(path, newline="") as f:
            return [(int(r["step"]), r) for r in csv.DictReader(f)]
    return [(e["step"], e) for e in json.loads(path.read_text())["steps"]]


def chain(files):
    """The runs' rows one after another, steps offset so that they keep counting; and where each run starts."""
    out, starts, offset = [], [], 0
    for f in files:
        rows = rows_of(f)
        if not rows:
            continue
        # A curve.csv of a continued run already counts from where the stage stood.
        base = offset if rows[0][0] == 0 else 0
        starts.append(base + rows[0][0])
        out += [(base + step, f.name, r) for step, r in rows]
        offset = out[-1][0] + 100
    return out, starts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, required=True, help="path without extension")
    ap.add_argument("panel", nargs="+", help="TITLE=FILE[,FILE...]")
    args = ap.parse_args()
    panels = [(t, [Path(f) for f in files.split(",")]) for t, files in (p.split("=", 1) for p in args.panel)]
    fig, axes = plt.subplots(1, len(panels), figsize=(6 * len(panels), 4.2), squeeze=False)
    with open(args.out.with_suffix(".csv"), "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["panel", "run", "step", *LOSSES, "lr"])
        for ax, (title, files) in zip(axes[0], panels):
            rows, starts = chain(files)
            for step, run, r in rows:
                writer.writerow([title, run, step, *[r.get(k, "") for k in LOSSES], r.get("lr", "")])
            for key in LOSSES:
                points = [(s, float(r[key])) for s, _, r in rows if r.get(key, "") not in ("", None)]
                if points and not (key == "loss" and any(k in rows[0][2] for k in ("generation", "recon"))):
                    ax.plot(*zip(*points), label=key)
            for s in starts[1:]:
                ax.axvline(s, color="gray", linestyle=":", linewidth=1)
            ax.set_title(title)
            ax.set_xlabel("optimizer step")
            ax.set_yscale("log")
            ax.grid(alpha=0.3)
            ax.legend()
    fig.tight_layout()
    fig.savefig(args.out.with_suffix(".png"), dpi=100)
    print(f"wrote {args.out.with_suffix('.csv')} and {args.out.with_suffix('.png')}")


if __name__ == "__main__":
    main()
