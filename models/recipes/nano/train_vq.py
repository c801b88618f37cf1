"""Trains the nano vision tokenizer: transformers' Emu3VQVAE with a small config, on world images and videos.

    python3 train_vq.py --out DIR [--minutes 7.5] [--seed 1]

Reconstruction (L1 + MSE, optionally weighted up near outlines, + L1 on image gradients, which keeps small shapes' edges) plus the VQ codebook and commitment losses with a straight-through estimator; the
codebook starts from encoder outputs and codes unused for a while are revived from the current batch. Writes
DIR/vq.safetensors (fp32), DIR/vq_config.json, DIR/vq_log.json (losses, code usage, PSNR on held-out
scenes) and DIR/curve.csv.
"""

import argparse
import csv
import json
import math
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file
from transformers import Emu3VQVAE, Emu3VQVAEConfig

import data as D
import world as W

VQ_CONFIG = dict(
    codebook_size=1024,
    embed_dim=8,
    latent_channels=8,
    double_latent=False,
    in_channels=3,
    out_channels=3,
    temporal_downsample_factor=4,
    base_channels=64,
    channel_multiplier=[1, 1, 2, 2],
    num_res_blocks=1,
    attn_resolutions=[],
    hidden_size=128,
    num_attention_heads=1,
)


def to_pixels(frames):
    """uint8 `[..., H, W, 3]` → float `[..., 3, H, W]` in [-1, 1] (the preprocessor: rescale, normalize)."""
    return (frames.float() / 255 - 0.5).div(0.5).movedim(-1, -3)


def batch_pixels(renderer, rng, images, videos):
    """Images as 4 repeated frames `[images, 4, 3, H, W]`; videos `[videos, 16, 3, H, W]`."""
    items = [(D.image_example(rng)["scene"], 0) for _ in range(images)]
    img = to_pixels(renderer.batch(items))[:, None].repeat(1, 4, 1, 1, 1)
    vids = None
    if videos:
        scenes = [D.video_example(rng)["scene"] for _ in range(videos)]
        frames = renderer.batch([(s, t) for s in scenes for t in range(W.FRAMES)])
        vids = to_pixels(frames).view(videos, W.FRAMES, 3, W.SIZE, W.SIZE)
    return img, vids


def encode_continuous(vq, x):
    """x `[B, T, 3, H, W]` → z `[B, T', C, h, w]` before quantization (encoder → quant_conv)."""
    h = vq.encoder(x)
    return vq.quant_conv(h.permute(0, 2, 1, 3, 4)).permute(0, 2, 1, 3, 4)


def quantize(vq, z):
    """Nearest codebook entries (first minimum on ties, as Emu3VQVAEVectorQuantizer) → (zq, codes)."""
    emb = vq.quantize.embedding.weight  # [K, C]
    flat = z.permute(0, 1, 3, 4, 2).reshape(-1, z.shape[2]).float()  # [N, C]
    d = flat.pow(2).sum(1, keepdim=True) - 2 * flat @ emb.float().t() + emb.float().pow(2).sum(1)[None]
    codes = d.argmin(1)
    zq = emb[codes].view(z.shape[0], z.shape[1], z.shape[3], z.shape[4], -1).permute(0, 1, 4, 2, 3)
    return zq.to(z.dtype), codes.view(z.shape[0], z.shape[1], z.shape[3], z.shape[4])


def decode_continuous(vq, zq):
    """zq `[B, T', C, h, w]` → frames `[B, T'·4, 3, H, W]` (post_quant_conv → decoder, as Emu3VQVAE.decode)."""
    quant = zq.permute(0, 2, 1, 3, 4)
    post = vq.post_quant_conv(quant)
    B, T = zq.shape[:2]
    out = vq.decoder(post.permute(0, 2, 1, 3, 4), quant.permute(0, 2, 1, 3, 4))
    return out.reshape(B, T * 4, 3, zq.shape[3] * 8, zq.shape[4] * 8)


def edge_loss(rec, target):
    """L1 between the images' finite differences: plain L1/MSE tolerate soft edges, which blur small shapes."""
    dx = lambda x: x[..., :, 1:] - x[..., :, :-1]
    dy = lambda x: x[..., 1:, :] - x[..., :-1, :]
    return F.l1_loss(dx(rec), dx(target)) + F.l1_loss(dy(rec), dy(target))


def focus_weights(target, k):
    """1 + k within 2 pixels of an outline of the target (a step of more than ~10 levels), 1 elsewhere:
    plain losses let low-contrast objects (black or green on the forest) fade into the background, and
    outlines are what the detector reads. target `[B, T, 3, H, W]` → weights `[B, T, 1, H, W]`."""
    x = target.float()
    gx = F.pad((x[..., :, 1:] - x[..., :, :-1]).abs(), (0, 1))
    gy = F.pad((x[..., 1:, :] - x[..., :-1, :]).abs(), (0, 0, 0, 1))
    edge = (torch.maximum(gx, gy).amax(-3, keepdim=True) > 0.08).float()
    h, w = edge.shape[-2:]
    edge = F.max_pool2d(edge.reshape(-1, 1, h, w), 5, stride=1, padding=2).reshape(edge.shape)
    return 1 + k * edge


def psnr(a, b):
    """PSNR in dB of two uint8-range float tensors."""
    mse = (a - b).pow(2).mean().clamp_min(1e-10)
    return float(10 * torch.log10(255**2 / mse))


@torch.no_grad()
def evaluate(vq, renderer, n=64, seed=99):
    vq.eval()
    rng = np.random.default_rng(seed)
    img, vids = batch_pixels(renderer, rng, n, 8)
    out = {}
    for name, x in (("images", img), ("videos", vids)):
        with torch.autocast("cuda", dtype=torch.bfloat16):
            zq, codes = quantize(vq, encode_continuous(vq, x))
            rec = decode_continuous(vq, zq)
        to_u8 = lambda p: ((p.float() * 0.5 + 0.5) * 255).clamp(0, 255).floor()
        frames = slice(0, 1) if name == "images" else slice(None)
        out[name] = psnr(to_u8(rec[:, frames]), to_u8(x[:, frames]))
    vq.train()
    return out


def set_mode(vq, decoder_only):
    """Training mode, except that a frozen encoder stays in inference mode: its BatchNorm statistics must not move."""
    vq.train()
    if decoder_only:
        vq.encoder.eval()
        vq.quant_conv.eval()
        vq.quantize.eval()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--minutes", type=float, default=7.5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--images", type=int, default=48)
    ap.add_argument("--videos", type=int, default=4)
    ap.add_argument("--lr", type=float, default=4e-4)
    ap.add_argument("--init", type=Path, help="a previous run's folder to continue from (its config is kept)")
    ap.add_argument("--config", default="{}",
                    help="JSON overrides of the tokenizer's config for a fresh run, e.g. '{\"codebook_size\": 4096}'")
    ap.add_argument("--edge", type=float, default=1.0, help="weight of the edge (image gradient) loss")
    ap.add_argument("--focus", type=float, default=0.0,
                    help="extra weight of the reconstruction loss near the target's outlines (0: plain L1 + MSE)")
    ap.add_argument("--decoder-only", action="store_true",
                    help="train only post_quant_conv and the decoder, so every code stays exactly as in --init "
                         "(a decoder already trained on those codes stays valid)")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    dev = torch.device("cuda")
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True
    torch.backends.cudnn.benchmark = True

    config = {**VQ_CONFIG, **json.loads(args.config)}
    if args.init:
        config = json.loads((args.init / "vq_config.json").read_text())
    vq = Emu3VQVAE(Emu3VQVAEConfig(**config)).to(dev)
    vq.train()
    params = sum(p.numel() for p in vq.parameters())
    print(f"vq params {params / 1e6:.2f}M", flush=True)
    renderer = W.Renderer("cuda")

    if args.init:
        vq.load_state_dict(load_file(str(args.init / "vq.safetensors")))
    elif args.decoder_only:
        raise SystemExit("--decoder-only needs --init")
    else:
        # Codebook from encoder outputs of a first batch, so every code starts near real latents.
        with torch.no_grad():
            img, _ = batch_pixels(renderer, rng, 64, 0)
            z = encode_continuous(vq, img.to(dev)).permute(0, 1, 3, 4, 2).reshape(-1, config["embed_dim"])
            vq.quantize.embedding.weight.copy_(z[torch.randperm(z.shape[0], device=dev)[: config["codebook_size"]]])

    trained = [p for n, p in vq.named_parameters()
               if not args.decoder_only or n.startswith(("decoder.", "post_quant_conv."))]
    if args.decoder_only:
        for p in vq.parameters():
            p.requires_grad_(False)
        for p in trained:
            p.requires_grad_(True)
    set_mode(vq, args.decoder_only)
    opt = torch.optim.AdamW(trained, lr=args.lr, betas=(0.9, 0.95), weight_decay=0.0)
    usage = torch.zeros(config["codebook_size"], device=dev)
    log = {"config": config, "params": params, "steps": [], "seed": args.seed, "decoder_only": args.decoder_only}
    curve_file = args.out / "curve.csv"
    curve_file.write_text("stage,step,seconds,loss,recon,psnr\n")
    curve = csv.DictWriter(curve_file.open("a", newline=""), ["stage", "step", "seconds", "loss", "recon", "psnr"])
    start = time.time()
    budget = args.minutes * 60
    step = 0
    while time.time() - start < budget:
        frac = (time.time() - start) / budget
        for g in opt.param_groups:  # warm-up, then cosine decay to 10% over the time budget
            g["lr"] = args.lr * min(1.0, (step + 1) / 200) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * frac)))
        img, vids = batch_pixels(renderer, rng, args.images, args.videos)
        losses = []
        for x in (img, vids):
            if x is None:
                continue
            with torch.autocast("cuda", dtype=torch.bfloat16):
                z = encode_continuous(vq, x)
                zq, codes = quantize(vq, z)
                commit = F.mse_loss(z.float(), zq.detach().float())
                codebook = F.mse_loss(zq.float(), z.detach().float())
                rec = decode_continuous(vq, z + (zq - z).detach())
                target = x if x.shape[1] == rec.shape[1] else x[:, : rec.shape[1]]
                weights = focus_weights(target, args.focus)
                err = rec.float() - target
                recon = (weights * err.abs()).mean() + (weights * err.pow(2)).mean()
                recon = recon + args.edge * edge_loss(rec.float(), target)
            losses.append((recon + codebook + 0.25 * commit) * x.shape[0])
            usage.mul_(0.99).index_add_(0, codes.flatten(), torch.ones(codes.numel(), device=dev))
        loss = sum(losses) / (args.images + args.videos)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(vq.parameters(), 1.0)
        opt.step()
        if step % 100 == 99 and not args.decoder_only:
            # Revive dead codes: move them onto random current latents.
            with torch.no_grad():
                dead = (usage < 0.03).nonzero().flatten()
                if len(dead):
                    zf = z.detach().float().permute(0, 1, 3, 4, 2).reshape(-1, z.shape[2])
                    pick = torch.randint(0, zf.shape[0], (len(dead),), device=dev)
                    vq.quantize.embedding.weight[dead] = zf[pick] + 0.01 * torch.randn_like(zf[pick])
                    usage[dead] = 1.0
        if step % 200 == 0:
            entry = {"step": step, "seconds": round(time.time() - start, 1), "loss": round(loss.item(), 5),
                     "recon": round(float(recon), 5), "commit": round(float(commit), 5),
                     "codes_used": int((usage > 0.03).sum()), "lr": opt.param_groups[0]["lr"]}
            if step % 1000 == 0:
                entry["psnr"] = evaluate(vq, renderer)
                set_mode(vq, args.decoder_only)
            log["steps"].append(entry)
            print(json.dumps(entry), flush=True)
            curve.writerow({"stage": "vq", "step": step, "seconds": entry["seconds"], "loss": entry["loss"],
                            "recon": entry["recon"], "psnr": entry.get("psnr", {}).get("images", "")})
        step += 1

    log["final"] = {"step": step, "seconds": round(time.time() - start, 1), "psnr": evaluate(vq, renderer, n=256)}
    print("final", json.dumps(log["final"]), flush=True)
    state = {k: v.detach().float().contiguous().cpu() for k, v in vq.state_dict().items()}
    save_file(state, str(args.out / "vq.safetensors"))
    (args.out / "vq_config.json").write_text(json.dumps(config, indent=2))
    (args.out / "vq_log.json").write_text(json.dumps(log, indent=1))


if __name__ == "__main__":
    main()
