"""Writes the nano evaluation sets and the renderer cross-check into models/nano/eval/ (CPU, seconds).

    python3 models/recipes/nano/make_sets.py [OUT_DIR]
"""

import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image

import data as D
import world as W

SEED = 2026


def main(out):
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    D.write_jsonl(out / "shapes.jsonl", D.shapes_set(rng, heldout=False, per_tag=70))
    D.write_jsonl(out / "shapes-heldout.jsonl", D.shapes_set(rng, heldout=True, per_tag=105))
    D.write_jsonl(out / "vqa-heldout.jsonl", [dict(r, scene=D.strip_sizes(r["scene"])) for r in D.vqa_set(rng, 400)])
    videos = [dict(r, scene=D.strip_sizes(r["scene"])) if "scene" in r else r for r in D.video_set(rng, 48)]
    D.write_jsonl(out / "video-heldout.jsonl", videos)
    # The same extensions with the moving object's caption as their prompt, as the gallery's Extend keeps the
    # source's prompt: how much of an extension's motion comes from the context and how much from the words.
    D.write_jsonl(out / "video-extend-captioned.jsonl", [dict(r, prompt=D.motion_caption(r)) for r in videos if r["kind"] == "extend"])
    D.write_jsonl(out / "tokenizer-heldout.jsonl", [dict(r, scene=D.strip_sizes(r["scene"])) for r in D.tokenizer_set(rng, 120)])

    # Renderer cross-check: a few scenes covering every class, background kind and motion, rendered here.
    check = out / "render-check"
    check.mkdir(exist_ok=True)
    renderer = W.Renderer("cpu")
    rows = []
    for i in range(6):
        specs = [(W.CLASSES[(2 * i + k) % 8], W.COLORS[(5 * i + k) % 12], D.SIZE_NAMES[k % 3]) for k in range(1 + i % 3)]
        scene = None
        while scene is None:
            scene = D.scene_of(rng, specs)
        scene["background"] = dict(scene["background"], kind=["plain", "gradient", "texture"][i % 3])
        scene["background"].setdefault("angle", 0.9)
        scene["background"].update({k: v for k, v in {"fx": 1, "fy": 3, "phase": 0.4}.items() if k not in scene["background"]})
        scene["objects"][0]["angle"] = 0.3 * i
        video = i >= 4
        if video:
            while not W.add_motion(rng, scene["objects"][0], ["bouncing", "rotating"][i - 4]):
                pass
        frames = renderer.video(scene, 4) if video else renderer.frame(scene)[None]
        names = []
        for t, f in enumerate(frames):
            names.append(f"scene{i}-{t}.png")
            Image.fromarray(f.numpy()).save(check / names[-1])
        rows.append({"name": f"scene{i}", "scene": D.strip_sizes(scene), "frames": names})
    (out / "render-check.json").write_text(json.dumps(rows, indent=1))
    for f in sorted(out.glob("*.jsonl")):
        print(f.name, sum(1 for _ in open(f)))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "nano" / "eval")
