"""Training examples and evaluation sets of the nano world (WORLD.md).

An example is a scene with a caption (GenEval phrasings or a plain description) and question/answer pairs.
`heldout=False` never uses a held-out (color, class) pair or states a held-out relation; `heldout=True` builds
the held-out evaluation items; `None` allows everything (tokenizer corpus only).
"""

import json
import math

import numpy as np

import world as W

# The engine's default negative prompt (engine/src/generate/defaults.ts): trained as an unconditional caption.
NEGATIVE_PROMPT = (
    "lowres, bad anatomy, bad hands, text, error, missing fingers, extra digit, fewer digits, cropped, worst "
    "quality, low quality, normal quality, jpeg artifacts, signature, watermark, username, blurry."
)
TAGS = ["single_object", "two_object", "counting", "colors", "position", "color_attr"]
SIZE_NAMES = list(W.SIZES)


def pick(rng, seq):
    return seq[rng.integers(len(seq))]


def pairs(heldout):
    return W.allowed_pairs(heldout)


def random_size(rng, n):
    # Crowded scenes use smaller objects so that they fit.
    return pick(rng, SIZE_NAMES[: 3 if n <= 2 else 2 if n == 3 else 1])


def scene_of(rng, specs, relation=None):
    objects = W.sample_objects(rng, specs, relation)
    return None if objects is None else {"background": W.sample_background(rng), "objects": objects}


def random_scene(rng, n, heldout):
    """A scene of n objects of allowed colour–class pairs at sizes that fit n; None when placement failed."""
    specs = []
    for _ in range(n):
        color, cls = pick(rng, pairs(heldout))
        specs.append((cls, color, random_size(rng, n)))
    return scene_of(rng, specs)


def geneval_item(rng, tag, heldout):
    """(scene, prompt, include, exclude) for one GenEval tag; None when placement failed (caller retries)."""
    ok = pairs(heldout)
    cc = pick(rng, ok)  # (color, class)
    if tag in ("single_object", "colors"):
        scene = scene_of(rng, [(cc[1], cc[0], random_size(rng, 1))])
        named = tag == "colors" or heldout is True or rng.random() < 0.5
        prompt = f"a photo of {W.article(cc[0] if named else cc[1])} {cc[0] + ' ' if named else ''}{cc[1]}"
        include = [{"class": cc[1], "count": 1, **({"color": cc[0]} if named else {})}]
        return scene, prompt, include, []
    if tag == "counting":
        n = int(rng.integers(2, 5))
        colors = [c for c, k in ok if k == cc[1]]
        specs = [(cc[1], pick(rng, colors), random_size(rng, n)) for _ in range(n)]
        scene = scene_of(rng, specs)
        prompt = f"a photo of {W.NUMBERS[n]} {W.PLURAL[cc[1]]}"
        return scene, prompt, [{"class": cc[1], "count": n}], [{"class": cc[1], "count": n + 1}]
    # two objects of different classes
    other = pick(rng, [p for p in ok if p[1] != cc[1]])
    specs = [(cc[1], cc[0], random_size(rng, 2)), (other[1], other[0], random_size(rng, 2))]
    if tag == "position":
        rels = [r for r in W.INVERSE if ((cc[1], r, other[1]) in W.HELD_RELATION) == bool(heldout)]
        if not rels:
            return None
        rel = pick(rng, rels)
        scene = scene_of(rng, specs[::-1], (1, rel, 0))  # the reference object is placed first
        prompt = f"a photo of {W.article(cc[1])} {cc[1]} {rel} {W.article(other[1])} {other[1]}"
        include = [{"class": other[1], "count": 1}, {"class": cc[1], "count": 1, "position": [rel, 0]}]
        return scene, prompt, include, []
    scene = scene_of(rng, specs)
    if tag == "color_attr":
        prompt = f"a photo of {W.article(cc[0])} {cc[0]} {cc[1]} and {W.article(other[0])} {other[0]} {other[1]}"
        include = [{"class": cc[1], "count": 1, "color": cc[0]}, {"class": other[1], "count": 1, "color": other[0]}]
        return scene, prompt, include, []
    prompt = f"a photo of {W.article(cc[1])} {cc[1]} and {W.article(other[1])} {other[1]}"
    return scene, prompt, [{"class": cc[1], "count": 1}, {"class": other[1], "count": 1}], []


def states_heldout_relation(scene, caption):
    objs = scene["objects"]
    return any(f"{a['class']} {r} " in caption and (a["class"], r, b["class"]) in W.HELD_RELATION
               for a in objs for b in objs for r in W.INVERSE)


def image_example(rng, heldout=False):
    """A training picture with its caption (GenEval phrasing 60%, description 33%, unconditional 7%) and QA."""
    while True:
        u = rng.random()
        if u < 0.6:
            item = geneval_item(rng, pick(rng, TAGS), heldout)
            if item is None or item[0] is None:
                continue
            scene, caption = item[0], item[1]
        else:
            scene = random_scene(rng, int(rng.integers(1, 5)), heldout)
            if scene is None:
                continue
            caption = W.describe(rng, scene)
            if u > 0.965:
                caption = ""
            elif u > 0.93:
                caption = NEGATIVE_PROMPT
        if heldout is False and states_heldout_relation(scene, caption):
            continue
        qa = W.questions(rng, scene)
        qa.append(("Describe the image.", W.describe(rng, scene)))
        return {"scene": scene, "caption": caption, "qa": qa}


def video_example(rng, heldout=False):
    """A 16-frame video of one or two objects, the first one moving, with its caption and QA."""
    while True:
        scene = random_scene(rng, 1 if rng.random() < 0.7 else 2, heldout)
        if scene is None:
            continue
        kind = pick(rng, W.SPEC["motions"])
        if not W.add_motion(rng, scene["objects"][0], kind):
            continue
        caption = W.video_caption(rng, scene) if rng.random() > 0.07 else ""
        qa = [(q, a) for q, a in W.questions(rng, scene, video=True) if not q.startswith("Is the")]
        return {"scene": scene, "caption": caption, "qa": qa}


# ------------------------------------------------------------------------------------------------------
# Evaluation sets (models/nano/eval/)


def write_jsonl(path, rows):
    with open(path, "w") as f:
        for row in rows:
            f.write(json.dumps(row, separators=(",", ":")) + "\n")


# Held-out combinations can only be named by these tags (counting and two_object prompts name no colour).
HELDOUT_TAGS = ["single_object", "colors", "position", "color_attr"]


def shapes_set(rng, heldout, per_tag):
    rows = []
    for tag in HELDOUT_TAGS if heldout else TAGS:
        seen = set()
        while sum(r["tag"] == tag for r in rows) < per_tag:
            item = geneval_item(rng, tag, heldout)
            if item is None or item[0] is None or item[1] in seen:
                if len(seen) > 0 and rng.random() < 0.02:
                    seen.clear()  # small tags (few distinct prompts) may repeat a prompt
                continue
            seen.add(item[1])
            _, prompt, include, exclude = item
            rows.append({"tag": tag, "include": include, **({"exclude": exclude} if exclude else {}), "prompt": prompt})
    return rows


def vqa_set(rng, n):
    rows = []
    while len(rows) < n:
        video = rng.random() < 0.25
        ex = video_example(rng, heldout=None) if video else image_example(rng, heldout=None)
        q, a = pick(rng, [qa for qa in ex["qa"] if qa[0] != "Describe the image."])
        kind = ("motion" if q.startswith("How is") else "count" if q.startswith("How many") else
                "color" if q.startswith("What color") else "shape" if q.startswith("What shape") else "position")
        rows.append({"scene": ex["scene"], "video": video, "question": q, "answer": a, "kind": kind})
    return rows


def motion_caption(row):
    """The caption of a video set line's moving object: "a video of a red circle moving left"."""
    o = next((o for o in row["scene"]["objects"] if o.get("motion")), None) if "scene" in row else row
    color, cls = o["color"], o["class"]
    return f"a video of {W.article(color)} {color} {cls} moving {row['motion']}"


def video_set(rng, n):
    rows = []
    directions = list(W.DIRECTIONS)
    for i in range(n):
        motion = directions[i % len(directions)]
        color, cls = pick(rng, pairs(False))
        line = {"kind": "generate", "motion": motion, "class": cls, "color": color}
        rows.append({"kind": "generate", "prompt": motion_caption(line), **line})
    for i in range(n):
        motion = directions[i % len(directions)]
        while True:
            ex = video_example(rng, heldout=None)
            o = ex["scene"]["objects"][0]
            o.pop("motion", None)
            if W.add_motion(rng, o, motion):
                break
        rows.append({"kind": "extend", "scene": ex["scene"], "motion": motion, "contextFrames": 2, "addFrames": 2})
    return rows


def tokenizer_set(rng, n):
    rows = []
    for i in range(n):
        video = i % 4 == 3
        ex = video_example(rng, heldout=None) if video else image_example(rng, heldout=None)
        rows.append({"scene": ex["scene"], "video": video})
    return rows


def strip_sizes(scene):
    """Scenes in the sets keep only what the renderer reads."""
    for o in scene["objects"]:
        o.pop("size", None)
    return scene
