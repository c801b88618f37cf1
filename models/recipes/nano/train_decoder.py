"""Trains the nano decoder from scratch with next-token prediction on Emu3's document format.

    python3 train_decoder.py --vq DIR --out DIR --stage image [--minutes 8] [--init DIR]
    python3 train_decoder.py --vq DIR --out DIR --stage video --init DIR

A stage spans many runs: its learning rate follows one schedule over `--plan-steps` optimizer steps (warm-up,
then cosine to 5%), and a run that starts from an earlier run of the same stage (`--init`, whose state.json
names the stage and the step reached) continues that schedule where it stopped, with the optimizer state when
optimizer.pt travelled along (else the moments re-warm over 50 steps). Each run appends to curve.csv.

Stage `image`: text-to-image generation sequences and image understanding (captions placed after the image,
questions about colour, count, shape and position). Stage `video` (paper §2.4) adds 16-frame videos
(generation, and questions about motion) to the image mix. Vision tokens weigh 0.5 in the loss; 7% of
captions are empty (and 3.5% are the engine's negative prompt, trained as unconditional) so guidance works.
The pictures are rendered and tokenized on the GPU as training goes, by producer processes (feed.py); an
example is drawn about three times on average, and none comes from disk.
Writes DIR/decoder.safetensors (fp32), DIR/optimizer.pt, DIR/state.json, DIR/curve.csv, DIR/decoder_config.json,
the tokenizer files and DIR/decoder_log.json.
"""

import argparse
import csv
import json
import math
import time
from functools import partial
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file
from tokenizers import Tokenizer
from transformers import Emu3ForCausalLM, Emu3TextConfig, Emu3VQVAE, Emu3VQVAEConfig

import data as D
import tokens as T
import world as W
from feed import Feed
from train_vq import encode_continuous, quantize, to_pixels

TEXT_CONFIG = dict(
    hidden_size=512,
    intermediate_size=1024,
    num_hidden_layers=6,
    num_attention_heads=8,
    num_key_value_heads=2,
    max_position_embeddings=2048,
    rms_norm_eps=1e-5,
    rope_theta=10000.0,
)


def load_vq(vq_dir, dev):
    config = json.loads((vq_dir / "vq_config.json").read_text())
    vq = Emu3VQVAE(Emu3VQVAEConfig(**config)).to(dev)
    vq.load_state_dict(load_file(str(vq_dir / "vq.safetensors")))
    return vq.eval(), config


@torch.no_grad()
def codes_of(vq, frames_u8, frames_per_item):
    """uint8 `[N·F, H, W, 3]` → codes `[N, F/4 (or 1 for images), h, w]` (images repeated to 4 frames)."""
    x = to_pixels(frames_u8)
    if frames_per_item == 1:
        x = x[:, None].repeat(1, 4, 1, 1, 1)
    else:
        x = x.view(-1, frames_per_item, *x.shape[1:])
    with torch.autocast("cuda", dtype=torch.bfloat16):
        _, codes = quantize(vq, encode_continuous(vq, x))
    return codes.cpu().numpy()


def image_sequences(rng, v, vq, renderer, n, understand_share=0.3):
    examples = [D.image_example(rng) for _ in range(n)]
    codes = codes_of(vq, renderer.batch([(e["scene"], 0) for e in examples]), 1)
    seqs = []
    for e, c in zip(examples, codes):
        if rng.random() < understand_share:
            q, a = D.pick(rng, e["qa"])
            seqs.append(T.understanding_sequence(v, c, q, a))
        else:
            seqs.append(T.generation_sequence(v, e["caption"], c))
    return seqs


def video_sequences(rng, v, vq, renderer, n, understand_share=0.2):
    examples = [D.video_example(rng) for _ in range(n)]
    frames = renderer.batch([(e["scene"], t) for e in examples for t in range(W.FRAMES)])
    codes = codes_of(vq, frames, W.FRAMES)
    seqs = []
    for e, c in zip(examples, codes):
        if rng.random() < understand_share:
            q, a = D.pick(rng, e["qa"])
            seqs.append(T.understanding_sequence(v, c, q, a, fps=W.FPS))
        else:
            seqs.append(T.generation_sequence(v, e["caption"], c, fps=W.FPS))
    return seqs


# Sequences per chunk a producer sends: a video costs about as much to render and encode as four images.
CHUNK = {"image": 48, "video": 12}


def producer_setup(vq_dir, tok_dir, seed):
    """A producer's state: its own random stream, the tokenizer the trainer wrote, the vision tokenizer, a renderer."""
    torch.backends.cuda.matmul.allow_tf32 = True
    vq, config = load_vq(Path(vq_dir), torch.device("cuda"))
    v = T.Vocab(Tokenizer.from_file(str(Path(tok_dir) / "tokenizer.json")), config["codebook_size"])
    return {"rng": np.random.default_rng(seed), "v": v, "vq": vq, "renderer": W.Renderer("cuda")}


def producer_make(state, kind):
    make = image_sequences if kind == "image" else video_sequences
    return make(state["rng"], state["v"], state["vq"], state["renderer"], CHUNK[kind])


def weighted_loss(model, ids, weights):
    """Next-token cross entropy, each target weighted, as (generation loss, understanding loss): each is
    normalised by its own total weight. One sum over the whole batch would leave understanding almost no say:
    an answer is a few tokens beside hundreds of weighted vision tokens in each generation sequence."""
    logits = model(input_ids=ids).logits[:, :-1].float()  # [B, S-1, V]
    ce = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1), reduction="none")
    ce = ce.view(ids.shape[0], -1)  # [B, S-1]
    w = weights[:, 1:]
    understanding = weights[:, 1] == 0  # [B]: the prompt of an understanding sequence carries no loss
    losses = []
    for rows in (~understanding, understanding):
        if rows.any():
            losses.append((ce[rows] * w[rows]).sum() / w[rows].sum())
        else:
            losses.append(ce.new_zeros(()))
    return losses


PLAN_STEPS = {"image": 6000, "video": 16000}
CURVE_FIELDS = ["stage", "step", "seconds", "loss", "generation", "understanding", "lr"]


def read_state(init, stage):
    """The step and seconds an earlier run of this stage reached (a run of another stage starts at 0)."""
    f = init / "state.json" if init else None
    state = json.loads(f.read_text()) if f and f.exists() else {}
    return state if state.get("stage") == stage else {"stage": stage, "step": 0, "seconds": 0.0}


def learning_rate(peak, step, plan, warm_from, warm_steps):
    """Linear warm-up over warm_steps from warm_from, then one cosine to 5% over the stage's whole plan."""
    warm = min(1.0, (step - warm_from + 1) / warm_steps) if warm_steps else 1.0
    return peak * warm * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(1.0, step / plan))))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vq", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--stage", choices=["image", "video"], required=True)
    ap.add_argument("--init", type=Path)
    ap.add_argument("--minutes", type=float, default=8.0)
    ap.add_argument("--seed", type=int, default=2)
    ap.add_argument("--batch", type=int, default=192)
    ap.add_argument("--videos", type=int, default=40)
    ap.add_argument("--lr", type=float, default=1.5e-3)
    ap.add_argument("--producers", type=int, default=4, help="processes rendering and tokenizing training data")
    ap.add_argument("--plan-steps", type=int, help="optimizer steps the stage's schedule spans, over all its runs "
                    f"(default {PLAN_STEPS})")
    args = ap.parse_args()
    plan = args.plan_steps or PLAN_STEPS[args.stage]
    resumed = read_state(args.init, args.stage)
    args.out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(args.seed)
    # A continued run draws new scenes: its producers' seeds move on with the step reached.
    seed = args.seed + (100 if args.stage == "video" else 0) + 1000 * resumed["step"]
    dev = torch.device("cuda")
    torch.backends.cuda.matmul.allow_tf32 = True

    vq_config = json.loads((args.vq / "vq_config.json").read_text())
    v, vocabulary_map = T.build_tokenizer(args.out, vq_config["codebook_size"])
    # The producers read the tokenizer back from tokenizer.json: it must encode exactly as the one just trained.
    reread = T.Vocab(Tokenizer.from_file(str(args.out / "tokenizer.json")), vq_config["codebook_size"])
    for text in T.corpus(n=50)[0].split("\n"):
        assert reread.encode(text) == v.encode(text), f"tokenizer.json encodes {text!r} differently"
    kinds = ["image"] if args.stage == "image" else ["image", "video"]
    feed = Feed(partial(producer_setup, str(args.vq), str(args.out)), producer_make, kinds, args.producers, seed,
                capacity={"image": 8192, "video": 1024})
    text_config = dict(TEXT_CONFIG, vocab_size=v.size, pad_token_id=v.pad, bos_token_id=v.bos, eos_token_id=v.eos)
    model = Emu3ForCausalLM._from_config(Emu3TextConfig(**text_config), attn_implementation="sdpa").to(dev)
    if args.init:
        model.load_state_dict(load_file(str(args.init / "decoder.safetensors")))
    model.train()
    params = sum(p.numel() for p in model.parameters())
    print(f"decoder params {params / 1e6:.2f}M vocab {v.size}", flush=True)

    decay = [p for n, p in model.named_parameters() if p.ndim >= 2]
    other = [p for n, p in model.named_parameters() if p.ndim < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": other, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.95), fused=True)
    log = {"stage": args.stage, "config": text_config, "params": params, "seed": args.seed,
           "producers": args.producers, "steps": []}
    first = resumed["step"]
    moments = args.init / "optimizer.pt" if args.init else None
    # A fresh decoder warms up over 200 steps; a continued one over 50, or not at all when its moments came along.
    warm_steps = 200 if args.init is None else 50
    if first and moments and moments.exists():
        opt.load_state_dict(torch.load(moments, map_location=dev))
        warm_steps = 0
    curve = (args.init / "curve.csv").read_text() if args.init and (args.init / "curve.csv").exists() else ""
    curve_file = args.out / "curve.csv"
    curve_file.write_text(curve or ",".join(CURVE_FIELDS) + "\n")
    curve_rows = csv.DictWriter(curve_file.open("a", newline=""), CURVE_FIELDS)
    print(f"stage {args.stage}: step {first} of {plan}", flush=True)
    start, budget, step, waited = time.time(), args.minutes * 60, first, 0.0
    while time.time() - start < budget and step < plan:
        lr = learning_rate(args.lr, step, plan, first, warm_steps)
        for g in opt.param_groups:
            g["lr"] = lr
        asked = time.time()
        batches = [feed.draw("image", args.batch if args.stage == "image" else args.batch // 2)]
        if args.stage == "video":
            batches.append(feed.draw("video", args.videos))
        waited += time.time() - asked
        opt.zero_grad(set_to_none=True)
        total, parts = 0.0, [0.0, 0.0]
        for seqs in batches:
            ids, weights = T.collate(seqs, v.pad)
            with torch.autocast("cuda", dtype=torch.bfloat16):
                generation, understanding = weighted_loss(model, ids.to(dev), weights.to(dev))
                loss = (generation + understanding) / len(batches)
            loss.backward()
            total += float(loss.detach())
            parts[0] += float(generation.detach()) / len(batches)
            parts[1] += float(understanding.detach()) / len(batches)
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % 100 == 0:
            entry = {"step": step, "seconds": round(time.time() - start, 1), "loss": round(total, 4),
                     "generation": round(parts[0], 4), "understanding": round(parts[1], 4), "lr": lr,
                     "data_wait_s": round(waited, 1), "feed": feed.stats()}
            log["steps"].append(entry)
            print(json.dumps(entry), flush=True)
            curve_rows.writerow({"stage": args.stage, "step": step, "lr": f"{lr:.3g}",
                                 "seconds": round(resumed["seconds"] + time.time() - start, 1),
                                 **{k: entry[k] for k in ("loss", "generation", "understanding")}})
        step += 1
    feed.close()
    log["final"] = {"step": step, "seconds": round(time.time() - start, 1), "loss": round(total, 4),
                    "data_wait_s": round(waited, 1), "feed": feed.stats()}
    print("final", json.dumps(log["final"]), flush=True)
    save_file({k: t.detach().float().contiguous().cpu() for k, t in model.state_dict().items()}, str(args.out / "decoder.safetensors"))
    torch.save(opt.state_dict(), args.out / "optimizer.pt")
    state = {"stage": args.stage, "step": step, "plan": plan, "seconds": round(resumed["seconds"] + time.time() - start, 1)}
    (args.out / "state.json").write_text(json.dumps(state))
    (args.out / "decoder_config.json").write_text(json.dumps(text_config, indent=2))
    (args.out / "vocabulary_map.json").write_text(json.dumps(vocabulary_map))
    (args.out / "decoder_log.json").write_text(json.dumps(log, indent=1))


if __name__ == "__main__":
    main()
