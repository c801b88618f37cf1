"""The nano world (WORLD.md): scene sampling, captions, questions and a batched torch renderer.

Everything is deterministic given a `numpy.random.Generator`. The renderer follows WORLD.md exactly; the
engine's TypeScript renderer (engine/src/world) follows the same text, and `render-check.json` proves
that the two agree.
"""

import json
import math
import os
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
# NANO_WORLD names another constants file beside this one: next-world.json holds those of the generation being
# trained, while world.json stays what the shipped weights were trained on and are evaluated against.
WORLD_FILE = os.environ.get("NANO_WORLD", "world.json")
SPEC = json.loads((HERE / WORLD_FILE).read_text())
SIZE = SPEC["size"]
CLASSES = SPEC["classes"]
COLORS = list(SPEC["colors"])
RGB = SPEC["colors"]
SIZES = SPEC["sizes"]
FAMILIES = list(SPEC["backgrounds"])
FRAMES = SPEC["video"]["frames"]
FPS = SPEC["video"]["fps"]
REGIONS = SPEC["regions"]
MARGIN = SPEC["relationMargin"] * SIZE
HELD_COLOR_CLASS = {tuple(p) for p in SPEC["heldout"]["colorClass"]}
INVERSE = {"left of": "right of", "right of": "left of", "above": "below", "below": "above"}
HELD_RELATION = set()
for a, rel, b in SPEC["heldout"]["relation"]:
    HELD_RELATION.add((a, rel, b))
    HELD_RELATION.add((b, INVERSE[rel], a))
NUMBERS = ["zero", "one", "two", "three", "four"]
PLURAL = {c: c + ("es" if c.endswith("s") else "s") for c in CLASSES}
DIRECTIONS = {
    "left": (-1, 0), "right": (1, 0), "up": (0, -1), "down": (0, 1),
    "up left": (-1, -1), "up right": (1, -1), "down left": (-1, 1), "down right": (1, 1),
}


# ------------------------------------------------------------------------------------------------------
# Scenes


def allowed_pairs(heldout):
    """(color, class) pairs a sampler may use: the held-out ones only (heldout=True) or never (False)."""
    pairs = [(c, k) for c in COLORS for k in CLASSES]
    return [p for p in pairs if (p in HELD_COLOR_CLASS) == heldout] if heldout is not None else pairs


def sample_background(rng):
    kind = ["plain", "gradient", "texture"][rng.integers(3)]
    lo, hi = SPEC["texture"]["periods"]
    bg = {"kind": kind, "family": FAMILIES[rng.integers(len(FAMILIES))]}
    if kind == "gradient":
        bg["angle"] = float(rng.uniform(0, 2 * math.pi))
    if kind == "texture":
        bg.update(fx=int(rng.integers(0, hi + 1)), fy=int(rng.integers(lo, hi + 1)), phase=float(rng.uniform(0, 2 * math.pi)))
    return bg


def overlaps(objects, cx, cy, r, pad=3.0):
    return any(math.hypot(cx - o["cx"], cy - o["cy"]) < r + o["r"] + pad for o in objects)


def place(rng, objects, r, box=None, tries=200):
    """A centre for a new object of radius r that overlaps no other, inside box (x0, y0, x1, y1) if given."""
    x0, y0, x1, y1 = box or (r, r, SIZE - r, SIZE - r)
    x0, y0, x1, y1 = max(x0, r), max(y0, r), min(x1, SIZE - r), min(y1, SIZE - r)
    if x0 > x1 or y0 > y1:
        return None
    for _ in range(tries):
        cx, cy = float(rng.uniform(x0, x1)), float(rng.uniform(y0, y1))
        if not overlaps(objects, cx, cy, r):
            return cx, cy
    return None


def make_object(cls, color, size, cx, cy):
    return {"class": cls, "color": color, "size": size, "cx": cx, "cy": cy, "r": SIZES[size] * SIZE, "angle": 0.0}


def sample_objects(rng, specs, relation=None):
    """specs: [(class, color, size)]; relation: (i, rel, j) that must hold between objects i and j."""
    for _ in range(50):
        objects = []
        for i, (cls, color, size) in enumerate(specs):
            r = SIZES[size] * SIZE
            box = None
            if relation and i == relation[0]:
                j = relation[2]
                o = objects[j]
                m = MARGIN + 2
                box = {
                    "left of": (0, 0, o["cx"] - m, SIZE), "right of": (o["cx"] + m, 0, SIZE, SIZE),
                    "above": (0, 0, SIZE, o["cy"] - m), "below": (0, o["cy"] + m, SIZE, SIZE),
                }[relation[1]]
            at = place(rng, objects, r, box)
            if at is None:
                break
            objects.append(make_object(cls, color, size, *at))
        else:
            return objects
    return None


def region_of(o):
    col = min(2, int(o["cx"] * 3 // SIZE))
    row = min(2, int(o["cy"] * 3 // SIZE))
    return REGIONS[row][col]


def relation_of(a, b):
    """The relations that hold for a relative to b (WORLD.md "Words")."""
    out = []
    if a["cx"] + MARGIN < b["cx"]:
        out.append("left of")
    if a["cx"] > b["cx"] + MARGIN:
        out.append("right of")
    if a["cy"] + MARGIN < b["cy"]:
        out.append("above")
    if a["cy"] > b["cy"] + MARGIN:
        out.append("below")
    return out


def add_motion(rng, obj, kind):
    """Gives obj a motion of `kind`; returns False when it cannot stay inside the image."""
    lo, hi = SPEC["speed"]
    speed = float(rng.uniform(lo, hi))
    m = {"kind": kind, "vx": 0.0, "vy": 0.0, "spin": 0.0, "grow": 0.0}
    T = FRAMES - 1
    if kind in DIRECTIONS:
        dx, dy = DIRECTIONS[kind]
        norm = math.hypot(dx, dy)
        m["vx"], m["vy"] = speed * dx / norm, speed * dy / norm
        end_x, end_y = obj["cx"] + m["vx"] * T, obj["cy"] + m["vy"] * T
        r = obj["r"]
        if not (r <= end_x <= SIZE - r and r <= end_y <= SIZE - r):
            return False
    elif kind == "bouncing":
        a = float(rng.uniform(0, 2 * math.pi))
        m["vx"], m["vy"] = 1.5 * speed * math.cos(a), 1.5 * speed * math.sin(a)
    elif kind == "rotating":
        m["spin"] = float(rng.choice([-1, 1]) * rng.uniform(0.12, 0.2))
        if obj["class"] in ("circle", "ring"):
            return False
    elif kind in ("growing", "shrinking"):
        m["grow"] = 0.04 if kind == "growing" else -0.03
        if obj["r"] * (1 + m["grow"] * T) + min(obj["cx"], obj["cy"], SIZE - obj["cx"], SIZE - obj["cy"]) < 0:
            return False
        grown = obj["r"] * (1 + max(0.0, m["grow"]) * T)
        if min(obj["cx"], obj["cy"], SIZE - obj["cx"], SIZE - obj["cy"]) < grown:
            return False
    obj["motion"] = m
    return True


# ------------------------------------------------------------------------------------------------------
# Captions and questions (training uses these; the evaluation sets use the GenEval phrasings)


def article(word):
    return "an" if word[0] in "aeiou" else "a"


def noun(o, with_color=True, with_size=False):
    words = ([o["size"]] if with_size else []) + ([o["color"]] if with_color else []) + [o["class"]]
    return " ".join(words)


def a_noun(o, **kw):
    n = noun(o, **kw)
    return f"{article(n)} {n}"


def describe(rng, scene):
    """A plain description of everything in the scene (sizes, colours, regions, background)."""
    objs = scene["objects"]
    parts = []
    for o in objs:
        where = region_of(o)
        where = {"center": "in the center", "top": "at the top", "bottom": "at the bottom", "left": "on the left",
                 "right": "on the right"}.get(where, f"in the {where}")
        parts.append(f"{a_noun(o, with_size=rng.random() < 0.5)} {where}")
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    bg = scene["background"]
    style = {"plain": "plain", "gradient": "gradient", "texture": "textured"}[bg["kind"]]
    head = rng.choice(["", "a picture of ", "an image of "])
    return f"{head}{listed} on a {style} {bg['family']} background"


def motion_words(kind):
    return f"moving {kind}" if kind in DIRECTIONS else kind


def video_caption(rng, scene):
    o = scene["objects"][0]
    motion = motion_words(o["motion"]["kind"])
    bg = scene["background"]["family"]
    return str(rng.choice([
        f"a video of {a_noun(o)} {motion}",
        f"{a_noun(o)} {motion}",
        f"{a_noun(o)} {motion} on a {bg} background",
        f"a video of {a_noun(o, with_size=True)} {motion}",
    ]))


def count_word(n):
    return NUMBERS[n]


def questions(rng, scene, video=False):
    """(question, answer) pairs about one scene."""
    objs = scene["objects"]
    qa = [("How many objects are there?", count_word(len(objs)))]
    by_class = {}
    for o in objs:
        by_class.setdefault(o["class"], []).append(o)
    for cls, group in by_class.items():
        qa.append((f"How many {PLURAL[cls]} are there?", count_word(len(group))))
        if len(group) == 1:
            o = group[0]
            qa.append((f"What color is the {cls}?", o["color"]))
            qa.append((f"Where is the {cls}?", region_of(o)))
            if video:
                qa.append((f"How is the {cls} moving?", motion_words(o["motion"]["kind"]) if "motion" in o else "still"))
    by_color = {}
    for o in objs:
        by_color.setdefault(o["color"], []).append(o)
    for color, group in by_color.items():
        if len(group) == 1:
            qa.append((f"What shape is the {color} object?", group[0]["class"]))
    absent = [c for c in CLASSES if c not in by_class]
    cls = absent[rng.integers(len(absent))]
    qa.append((f"How many {PLURAL[cls]} are there?", "zero"))
    if len(objs) >= 2:
        a, b = objs[0], objs[1]
        if a["class"] != b["class"]:
            for rel in ("left of", "right of", "above", "below"):
                if (a["class"], rel, b["class"]) in HELD_RELATION:
                    continue
                yes = rel in relation_of(a, b)
                qa.append((f"Is the {a['class']} {rel} the {b['class']}?", "yes" if yes else "no"))
    return qa


# ------------------------------------------------------------------------------------------------------
# Rendering (batched, torch)


def _inside(cls, u, v):
    if cls == "circle":
        return u * u + v * v <= 1
    if cls == "square":
        return torch.maximum(u.abs(), v.abs()) <= 0.8
    if cls == "diamond":
        return u.abs() + v.abs() <= 1
    if cls == "triangle":
        return (v >= -1) & (v <= 0.5) & (u.abs() <= (v + 1) / math.sqrt(3))
    if cls == "ring":
        d = u * u + v * v
        return (d >= 0.55 * 0.55) & (d <= 1)
    if cls == "cross":
        return ((u.abs() <= 0.3) & (v.abs() <= 0.9)) | ((v.abs() <= 0.3) & (u.abs() <= 0.9))
    if cls == "star":
        rho = torch.sqrt(u * u + v * v)
        phi = torch.atan2(u, -v)
        sector = 2 * math.pi / 5
        a = (torch.remainder(phi + math.pi / 5, sector) - math.pi / 5).abs()
        px, py = rho * torch.cos(a), rho * torch.sin(a)
        ix, iy = 0.45 * math.cos(math.pi / 5), 0.45 * math.sin(math.pi / 5)
        ex, ey = ix - 1, iy  # I - T
        return ex * py - ey * (px - 1) >= 0
    if cls == "heart":
        x, y = 1.15 * u, -1.15 * v + 0.15
        return (x * x + y * y - 1) ** 3 - x * x * y ** 3 <= 0
    raise ValueError(cls)


def object_at(o, t):
    m = o.get("motion") or {}
    cx = o["cx"] + m.get("vx", 0.0) * t
    cy = o["cy"] + m.get("vy", 0.0) * t
    r = o["r"] * (1 + m.get("grow", 0.0) * t)
    if m.get("kind") == "bouncing":
        def reflect(p):
            lo, hi = r, SIZE - r
            L = hi - lo
            return lo + L - abs(((p - lo) % (2 * L)) - L)
        cx, cy = reflect(cx), reflect(cy)
    return cx, cy, r, o["angle"] + m.get("spin", 0.0) * t


class Renderer:
    """Renders scenes to uint8 `[N, H, W, 3]` on one device, float64 on CPU (exact) or float32 on GPU."""

    def __init__(self, device="cpu", dtype=None):
        self.device = torch.device(device)
        self.dtype = dtype or (torch.float64 if self.device.type == "cpu" else torch.float32)
        n = SPEC["supersample"]
        idx = torch.arange(SIZE * n, device=self.device, dtype=self.dtype)
        sub = (idx // n) + ((idx % n) + 0.5) / n  # sample coordinates along one axis  [S*n]
        self.sy, self.sx = torch.meshgrid(sub, sub, indexing="ij")  # [S*n, S*n]
        centre = torch.arange(SIZE, device=self.device, dtype=self.dtype) + 0.5
        self.cy, self.cx = torch.meshgrid(centre, centre, indexing="ij")  # [S, S]
        self.n = n

    def background(self, bg):
        a, b = (torch.tensor(c, device=self.device, dtype=self.dtype) for c in SPEC["backgrounds"][bg["family"]])
        if bg["kind"] == "plain":
            return a.expand(SIZE, SIZE, 3).clone()
        if bg["kind"] == "gradient":
            s = 0.5 + ((self.cx - SIZE / 2) * math.cos(bg["angle"]) + (self.cy - SIZE / 2) * math.sin(bg["angle"])) / SIZE
            s = s.clamp(0, 1)[..., None]
            return a + (b - a) * s
        wave = SPEC["texture"]["amplitude"] * torch.sin(2 * math.pi * (bg["fx"] * self.cx + bg["fy"] * self.cy) / SIZE + bg["phase"])
        return a + wave[..., None]

    def coverage(self, cls, cx, cy, r, angle):
        c, s = math.cos(angle), math.sin(angle)
        dx, dy = self.sx - cx, self.sy - cy
        u = (dx * c + dy * s) / r
        v = (-dx * s + dy * c) / r
        inside = _inside(cls, u, v).to(self.dtype)  # [S*n, S*n]
        return torch.nn.functional.avg_pool2d(inside[None, None], self.n)[0, 0]  # [S, S]

    def frame(self, scene, t=0):
        img = self.background(scene["background"])  # [S, S, 3]
        for o in scene["objects"]:
            cx, cy, r, angle = object_at(o, t)
            cov = self.coverage(o["class"], cx, cy, r, angle)[..., None]
            color = torch.tensor(RGB[o["color"]], device=self.device, dtype=self.dtype)
            img = img * (1 - cov) + color * cov
        return torch.floor(img + 0.5).clamp(0, 255).to(torch.uint8)

    def video(self, scene, frames=FRAMES):
        return torch.stack([self.frame(scene, t) for t in range(frames)])  # [T, S, S, 3]

    def batch(self, items):
        """Renders [(scene, t)] at once: uint8 `[B, S, S, 3]`. Objects of one class in one list slot share the
        work, so a batch costs a few hundred kernel launches whatever its size."""
        B = len(items)
        dev, dt = self.device, self.dtype
        fam_a = torch.tensor([SPEC["backgrounds"][s["background"]["family"]][0] for s, _ in items], device=dev, dtype=dt)
        fam_b = torch.tensor([SPEC["backgrounds"][s["background"]["family"]][1] for s, _ in items], device=dev, dtype=dt)
        kind = torch.tensor([["plain", "gradient", "texture"].index(s["background"]["kind"]) for s, _ in items], device=dev)
        par = lambda key: torch.tensor([float(s["background"].get(key, 0.0)) for s, _ in items], device=dev, dtype=dt)[:, None, None]
        angle, fx, fy, phase = par("angle"), par("fx"), par("fy"), par("phase")
        grad = (0.5 + ((self.cx - SIZE / 2) * torch.cos(angle) + (self.cy - SIZE / 2) * torch.sin(angle)) / SIZE).clamp(0, 1)  # [B, S, S]
        wave = SPEC["texture"]["amplitude"] * torch.sin(2 * math.pi * (fx * self.cx + fy * self.cy) / SIZE + phase)  # [B, S, S]
        a = fam_a[:, None, None, :]
        img = torch.where(
            (kind == 1)[:, None, None, None], a + (fam_b - fam_a)[:, None, None, :] * grad[..., None],
            torch.where((kind == 2)[:, None, None, None], a + wave[..., None], a.expand(B, SIZE, SIZE, 3)),
        )  # [B, S, S, 3]
        slots = max(len(s["objects"]) for s, _ in items)
        for j in range(slots):
            cov = torch.zeros(B, SIZE, SIZE, device=dev, dtype=dt)
            color = torch.zeros(B, 3, device=dev, dtype=dt)
            for cls in CLASSES:
                rows, params = [], []
                for b, (s, t) in enumerate(items):
                    if j < len(s["objects"]) and s["objects"][j]["class"] == cls:
                        rows.append(b)
                        params.append(object_at(s["objects"][j], t))
                        color[b] = torch.tensor(RGB[s["objects"][j]["color"]], dtype=dt)
                if not rows:
                    continue
                p = torch.tensor(params, device=dev, dtype=dt)[:, :, None, None]  # [k, 4, 1, 1]
                cx, cy, r, ang = p[:, 0], p[:, 1], p[:, 2], p[:, 3]
                c, sn = torch.cos(ang), torch.sin(ang)
                dx, dy = self.sx - cx, self.sy - cy  # [k, S*n, S*n]
                u = (dx * c + dy * sn) / r
                v = (-dx * sn + dy * c) / r
                inside = _inside(cls, u, v).to(dt)
                cov[rows] = torch.nn.functional.avg_pool2d(inside[:, None], self.n)[:, 0]  # [k, S, S]
            cov = cov[..., None]
            img = img * (1 - cov) + color[:, None, None, :] * cov
        return torch.floor(img + 0.5).clamp(0, 255).to(torch.uint8)
