"""Moves the evaluation sets' stored scenes to the world's current object sizes, keeping every line's text.

    python3 models/recipes/nano/rescale_sets.py OLD_SMALL,OLD_MEDIUM,OLD_LARGE [EVAL_DIR]

The VQA, video and tokenizer sets store whole scenes (the shapes sets store prompts only: their scenes are
sampled at evaluation time). When world.json's `sizes` change, each stored object keeps its class, colour,
centre and motion and takes the radius of its size under the new constants (its old size is read back from
its radius). A centre moves only as far as needed to keep the object inside the picture on every frame and
clear of the others; a scene whose regions or relations would change that way keeps its old radii instead, so
every question's answer stays true. Needs no torch: the geometry is WORLD.md's.
"""

import json
import math
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SPEC = json.loads((HERE / "world.json").read_text())
SIZE, FRAMES, PAD = SPEC["size"], SPEC["video"]["frames"], 3.0


def region(cx, cy):
    return min(2, int(cx * 3 // SIZE)), min(2, int(cy * 3 // SIZE))


def relations(objects):
    m = SPEC["relationMargin"] * SIZE
    out = []
    for a in objects:
        for b in objects:
            out.append((a["cx"] + m < b["cx"], a["cx"] > b["cx"] + m, a["cy"] + m < b["cy"], a["cy"] > b["cy"] + m))
    return out


def bounds(o, frames):
    """The interval of centres (per axis) that keeps o inside the picture on frames 0 … frames−1."""
    m = o.get("motion") or {}
    T = frames - 1
    r_max = o["r"] * (1 + max(0.0, m.get("grow", 0.0)) * T)
    if m.get("kind") == "bouncing":  # reflects off the walls by construction
        return (o["r"], SIZE - o["r"]), (o["r"], SIZE - o["r"])
    axes = []
    for v in (m.get("vx", 0.0), m.get("vy", 0.0)):
        axes.append((r_max - min(0.0, v * T), SIZE - r_max - max(0.0, v * T)))
    return axes[0], axes[1]


def fit(objects, frames):
    """Moves centres the least needed (clamping, then pushing overlapping pairs apart); False when impossible."""
    for _ in range(50):
        moved = False
        for o in objects:
            (x0, x1), (y0, y1) = bounds(o, frames)
            if x0 > x1 or y0 > y1:
                return False
            cx, cy = min(max(o["cx"], x0), x1), min(max(o["cy"], y0), y1)
            moved |= (cx, cy) != (o["cx"], o["cy"])
            o["cx"], o["cy"] = cx, cy
        for i, a in enumerate(objects):
            for b in objects[i + 1:]:
                d = math.hypot(a["cx"] - b["cx"], a["cy"] - b["cy"])
                need = a["r"] + b["r"] + PAD
                if d < need:
                    ux, uy = ((a["cx"] - b["cx"]) / d, (a["cy"] - b["cy"]) / d) if d > 1e-6 else (1.0, 0.0)
                    push = (need - d) / 2 + 0.01
                    a["cx"], a["cy"] = a["cx"] + ux * push, a["cy"] + uy * push
                    b["cx"], b["cy"] = b["cx"] - ux * push, b["cy"] - uy * push
                    moved = True
        if not moved:
            return True
    return False


def rescale(scene, old_sizes, frames):
    """The scene at the new sizes, or None when its words would no longer hold."""
    objects = [dict(o) for o in scene["objects"]]
    for o in objects:
        name = min(old_sizes, key=lambda k: abs(old_sizes[k] * SIZE - o["r"]))
        o["r"] = SPEC["sizes"][name] * SIZE
    if not fit(objects, frames):
        return None
    before = [region(o["cx"], o["cy"]) for o in scene["objects"]]
    if [region(o["cx"], o["cy"]) for o in objects] != before or relations(objects) != relations(scene["objects"]):
        return None
    return dict(scene, objects=objects)


def main(old, folder):
    old_sizes = dict(zip(["small", "medium", "large"], old))
    for name in ("vqa-heldout", "video-heldout", "video-extend-captioned", "tokenizer-heldout"):
        path = folder / f"{name}.jsonl"
        rows, kept = [json.loads(line) for line in path.read_text().splitlines()], 0
        for row in rows:
            if "scene" not in row:
                continue
            moving = any(o.get("motion") for o in row["scene"]["objects"]) or row.get("video")
            new = rescale(row["scene"], old_sizes, FRAMES if moving else 1)
            if new is None:
                kept += 1
            else:
                row["scene"] = new
        path.write_text("".join(json.dumps(r, separators=(",", ":")) + "\n" for r in rows))
        print(f"{name}: {sum('scene' in r for r in rows)} scenes, {kept} kept their old sizes")


if __name__ == "__main__":
    here = Path(__file__).resolve().parents[2] / "nano" / "eval"
    main([float(x) for x in sys.argv[1].split(",")], Path(sys.argv[2]) if len(sys.argv) > 2 else here)
