"""Writes the engine's parity fixtures from transformers' Emu3 classes (see FIXTURES.md).

Run on a machine with torch, transformers 5.x, tokenizers, tiktoken, safetensors and pillow (no network):

    python3 models/reference/make_fixtures.py OUT_DIR

It builds one tiny random Emu3 (decoder + 3-level vision tokenizer) with awkward shapes, saves it in the
BAAI original layout (bf16), the transformers on-disk layout (sharded fp32) and the transformers in-memory
names (bf16), and writes golden outputs of the reference implementation under OUT_DIR/goldens.
"""

import base64
import json
import math
import os
import re
import sys
import unicodedata
from pathlib import Path

import numpy as np
import regex
import torch
from PIL import Image
from safetensors.torch import load_file, save_file

import transformers
from transformers import (
    Emu3Config,
    Emu3ForCausalLM,
    Emu3ForConditionalGeneration,
    Emu3TextConfig,
    LogitsProcessorList,
    PrefixConstrainedLogitsProcessor,
    UnbatchedClassifierFreeGuidanceLogitsProcessor,
)

SEED = 1234
# Qwen's pre-tokenizer (docs/emu3-facts.md#the-text-tokenizer).
QWEN_PAT = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
CODEBOOK = 40
BPE_VOCAB = 320
CORPUS = """
A red cube on a wooden table. A blue sphere beside a green pyramid, in soft morning light.
You are a helpful assistant. USER: What is in this picture? ASSISTANT: A cat sleeping on a sofa.
Describe the image in detail. The photo shows 3 dogs, 12 birds and 1024 stars at night.
masterpiece, film grained, best quality. lowres, bad anatomy, bad hands, text, error, missing fingers,
extra digit, fewer digits, cropped, worst quality, low quality, normal quality, jpeg artifacts, signature,
watermark, username, blurry. It's a video of waves; they're rolling in, we'll see the shore.
Café naïve résumé — 日本語のテキスト, Ünïcödé text and emoji 🙂 too. Tabs\tand  spaces   and
newlines

end here. 64*64 90*90 68*120 720x720 16:9 4:3 1:1
""" * 3

SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"] + [f"<|extra_{i}|>" for i in range(205)]
VISION_LINES = ["<|image token|>", "<|image start|>", "<|image end|>"] + [
    f"<|visual token {c:06d}|>" for c in range(CODEBOOK)
]


# ---------------------------------------------------------------------------------------------------------
# Tokenizer: a byte-level BPE trained on CORPUS, written as emu3.tiktoken (ranks) and as tokenizer.json
# derived from the ranks the way transformers' converter derives merges from tiktoken ranks.


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


def train_ranks(corpus=CORPUS, vocab_size=BPE_VOCAB):
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers, normalizers, Regex

    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Split(Regex(QWEN_PAT), behavior="isolated"), pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)]
    )
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(corpus if isinstance(corpus, list) else [corpus], trainer=trainer)
    byte_decoder = {v: k for k, v in bytes_to_unicode().items()}
    vocab = tok.get_vocab()
    ranks = {}
    for token, idx in sorted(vocab.items(), key=lambda kv: kv[1]):
        ranks[bytes(byte_decoder[ch] for ch in token)] = idx
    assert sorted(ranks.values()) == list(range(len(ranks))), "ranks must be 0..N-1"
    return ranks


def bpe_split(ranks, token, max_rank):
    parts = [bytes([b]) for b in token]
    while True:
        best = None
        for i in range(len(parts) - 1):
            r = ranks.get(parts[i] + parts[i + 1])
            if r is not None and r < max_rank and (best is None or r < best[1]):
                best = (i, r)
        if best is None:
            return parts
        i = best[0]
        parts = parts[:i] + [parts[i] + parts[i + 1]] + parts[i + 2 :]


def write_tokenizers(ranks, decoder_dir, hf_dirs, vision_lines=VISION_LINES, max_length=256):
    from tokenizers import Tokenizer, models, pre_tokenizers, normalizers, decoders, Regex, AddedToken

    n = len(ranks)
    with open(decoder_dir / "emu3.tiktoken", "w") as f:
        for token, rank in sorted(ranks.items(), key=lambda kv: kv[1]):
            f.write(f"{base64.b64encode(token).decode()} {rank}\n")
    with open(decoder_dir / "emu3_vision_tokens.txt", "w") as f:
        f.write("\n".join(vision_lines) + "\n")

    enc = bytes_to_unicode()
    to_str = lambda b: "".join(enc[x] for x in b)
    vocab = {to_str(token): rank for token, rank in ranks.items()}
    merges = []
    for token, rank in sorted(ranks.items(), key=lambda kv: kv[1]):
        if len(token) == 1:
            continue
        parts = bpe_split(ranks, token, rank)
        assert len(parts) == 2, (token, parts)
        merges.append((to_str(parts[0]), to_str(parts[1])))
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges))
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Split(Regex(QWEN_PAT), behavior="isolated"), pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)]
    )
    tok.decoder = decoders.ByteLevel()
    # The converted HF tokenizer names <|extra_0|> "<image>" (docs/emu3-facts.md#special-tokens).
    specials = ["<image>" if s == "<|extra_0|>" else s for s in SPECIALS] + vision_lines
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    for d in hf_dirs:
        tok.save(str(d / "tokenizer.json"), pretty=False)
        (d / "tokenizer_config.json").write_text(
            json.dumps(
                {
                    "tokenizer_class": "GPT2TokenizerFast",
                    "bos_token": "<|extra_203|>",
                    "eos_token": "<|extra_204|>",
                    "pad_token": "<|endoftext|>",
                    "model_max_length": max_length,
                },
                indent=2,
            )
        )
    vocabulary_map = tok.get_vocab(with_added_tokens=True)
    ids = {s: n + i for i, s in enumerate(SPECIALS + vision_lines)}
    return tok, vocabulary_map, ids


def rank_bpe_encode(ranks, ids, text):
    """A second, independent reference: the original semantics written out (NFC, Qwen regex, BPE by rank)."""
    text = unicodedata.normalize("NFC", text)
    special_re = "(" + "|".join(re.escape(s) for s in sorted(ids, key=len, reverse=True)) + ")"
    out = []
    for piece in re.split(special_re, text):
        if piece == "":
            continue
        if piece in ids:
            out.append(ids[piece])
            continue
        for word in regex.findall(QWEN_PAT, piece):
            out.extend(ranks[p] for p in bpe_split(ranks, word.encode("utf-8"), math.inf))
    return out


# ---------------------------------------------------------------------------------------------------------
# Layout conversion: transformers on-disk names -> BAAI original names (docs/emu3-facts.md#checkpoint-layouts,
# in reverse).

VQ_RENAMES = [
    (r"\.down_block\.down\.", ".down."),
    (r"\.up_block\.up\.", ".up."),
    (r"\.middle_block\.", ".mid."),
    (r"\.mid\.attn_norm\.", ".mid.attn_1.norm."),
    (r"\.attn_norms\.(\d+)\.", r".attn.\1.norm."),
    (r"\.q_proj\.", ".q."),
    (r"\.k_proj\.", ".k."),
    (r"\.v_proj\.", ".v."),
    (r"\.out_proj\.", ".proj_out."),
]


def to_disk_name(name):
    for old, new in [("model.text_model.", "text_model.model."), ("model.vqmodel.", "vqmodel."), ("lm_head.", "text_model.lm_head.")]:
        if name.startswith(old):
            return new + name[len(old) :]
    return name


def to_original(state):
    decoder, vision = {}, {}
    for name, t in state.items():
        if name.startswith("text_model.model."):
            decoder["model." + name[len("text_model.model.") :]] = t
        elif name == "text_model.lm_head.weight":
            decoder["lm_head.weight"] = t
        elif name.startswith("vqmodel."):
            new = "." + name[len("vqmodel.") :]
            for pat, rep in VQ_RENAMES:
                new = re.sub(pat, rep, new)
            new = new[1:]
            if re.search(r"\.(q|k|v|proj_out)\.weight$", new) and t.ndim == 2:
                t = t[:, :, None, None]  # Linear [C, C] -> 1x1 conv [C, C, 1, 1]
            vision[new] = t.contiguous()
        else:
            raise SystemExit(f"unexpected on-disk key {name}")
    return decoder, vision


# ---------------------------------------------------------------------------------------------------------
# A synthetic world to train the tiny decoder on: captions of coloured shapes and their token grids.

COLORS = ["red", "green", "blue", "yellow", "white", "black"]
SHAPES = ["cube", "sphere", "cone", "ring"]
SIZES = [(3, 4), (2, 5), (4, 3), (2, 2)]


def image_block(special, enc, h, w, codes):
    out = [special["boi"]] + enc(f"{h}*{w}") + [special["img"]]
    for r in range(h):
        out += [special["visual0"] + int(c) for c in codes[r * w : (r + 1) * w]] + [special["eol"]]
    return out + [special["eof"], special["eoi"]]


def scene_sequence(special, enc, color, shape, h, w, kind):
    codes = [(color * 5 + shape * 11 + r * 3 + c * 7) % CODEBOOK for r in range(h) for c in range(w)]
    caption = f"a {COLORS[color]} {SHAPES[shape]}"
    block = image_block(special, enc, h, w, codes)
    if kind == "generation":
        return [special["bos"]] + enc(caption) + block + [special["eos"]]
    if kind == "unconditional":
        return [special["bos"]] + block + [special["eos"]]
    question = enc("You are a helpful assistant. USER: ") + block + enc("What is this?. ASSISTANT:")
    return [special["bos"]] + question + enc(" " + caption + ".") + [special["eos"]]


def train_decoder(model, special, enc, steps=600, batch_size=64):
    text, head = model.model.text_model, model.lm_head
    device = "cuda" if torch.cuda.is_available() else "cpu"
    text.to(device)
    head.to(device)
    params = list(text.parameters()) + list(head.parameters())
    optimizer = torch.optim.AdamW(params, lr=3e-3, weight_decay=0.0)
    rng = np.random.default_rng(SEED + 1)
    for step in range(steps):
        batch = []
        for _ in range(batch_size):
            h, w = SIZES[rng.integers(len(SIZES))]
            kind = rng.choice(["generation", "understanding", "unconditional"], p=[0.6, 0.35, 0.05])
            batch.append(scene_sequence(special, enc, int(rng.integers(len(COLORS))), int(rng.integers(len(SHAPES))), h, w, kind))
        length = max(map(len, batch))
        ids = torch.full((batch_size, length), special["pad"], dtype=torch.long)
        mask = torch.zeros((batch_size, length), dtype=torch.long)
        for i, seq in enumerate(batch):
            ids[i, : len(seq)] = torch.tensor(seq)
            mask[i, : len(seq)] = 1
        ids, mask = ids.to(device), mask.to(device)
        logits = head(text(input_ids=ids, attention_mask=mask).last_hidden_state)
        losses = torch.nn.functional.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1), reduction="none")
        weights = mask[:, 1:].reshape(-1).float()
        loss = (losses * weights).sum() / weights.sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    text.to("cpu")
    head.to("cpu")
    return {"steps": steps, "batch": batch_size, "final_loss": float(loss.detach())}


# ---------------------------------------------------------------------------------------------------------
# Goldens


class Goldens:
    def __init__(self, root):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.manifest = {}

    def array(self, name, value, dtype):
        arr = np.ascontiguousarray(np.asarray(value).astype(dtype))
        (self.root / f"{name}.bin").write_bytes(arr.astype(arr.dtype.newbyteorder("<")).tobytes())
        return {"file": f"{name}.bin", "dtype": {np.float32: "float32", np.int64: "int64", np.uint8: "uint8"}[dtype], "shape": list(arr.shape)}


def prefix_constraint(special, h, w, vocab_size):
    visual = list(range(special["visual0"], special["visual0"] + CODEBOOK))

    def allowed(batch_id, input_ids):
        ids = input_ids.tolist()
        p = ids.index(special["img"])
        offset = len(ids) - p
        if offset % (w + 1) == 0:
            return [special["eol"]]
        if offset == (w + 1) * h + 1:
            return [special["eof"]]
        if offset == (w + 1) * h + 2:
            return [special["eoi"]]
        if offset == (w + 1) * h + 3:
            return [special["eos"]]
        if offset > (w + 1) * h + 3:
            return [special["pad"]]
        return visual

    return allowed


def manual_cfg_greedy(model, prompt, negative, guidance, allowed, max_new):
    """The same decoding written out: log-softmax mix g*(c-u)+u, prefix mask, argmax."""
    cond, uncond = list(prompt), list(negative)
    out = []
    for _ in range(max_new):
        with torch.no_grad():
            c = model(torch.tensor([cond])).logits[0, -1].float()
            u = model(torch.tensor([uncond])).logits[0, -1].float()
        s = torch.log_softmax(c, -1)
        uu = torch.log_softmax(u, -1)
        mixed = guidance * (s - uu) + uu if guidance != 1 else s
        mask = torch.full_like(mixed, -math.inf)
        mask[allowed(0, torch.tensor(cond))] = 0
        nxt = int(torch.argmax(mixed + mask))
        out.append(nxt)
        cond.append(nxt)
        uncond.append(nxt)
        if nxt == model.config.eos_token_id:
            break
    return out


def main(out_dir):
    out = Path(out_dir)
    tiny = out / "tiny"
    dirs = {k: tiny / k for k in ["original/decoder", "original/vision", "hf", "hf-memory"]}
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    g = Goldens(out / "goldens")
    torch.manual_seed(SEED)
    np.random.seed(SEED)

    # --- tokenizer ---
    ranks = train_ranks()
    tok, vocabulary_map, ids = write_tokenizers(ranks, dirs["original/decoder"], [dirs["hf"], dirs["hf-memory"]])
    n = len(ranks)
    vocab_size = n + len(SPECIALS) + len(VISION_LINES)
    special = {
        "pad": ids["<|endoftext|>"],
        "bos": ids["<|extra_203|>"],
        "eos": ids["<|extra_204|>"],
        "img": ids["<|image token|>"],
        "boi": ids["<|image start|>"],
        "eoi": ids["<|image end|>"],
        "eol": ids["<|extra_200|>"],
        "eof": ids["<|extra_201|>"],
        "visual0": ids["<|visual token 000000|>"],
    }
    print("bpe ranks", n, "vocab", vocab_size, "special", special, flush=True)

    import tiktoken

    tk = tiktoken.Encoding("emu3-tiny", pat_str=QWEN_PAT, mergeable_ranks=ranks, special_tokens=ids)
    cases = [
        "a red cube on a table",
        "64*64",
        "year 2024: 1234567890 and 3.14159",
        "Café naïve résumé — 日本語のテキスト, Ünïcödé 🙂👍🏽",
        "e\u0301 and \u212b are NFC-normalised",
        "  multiple   spaces\n\n\nand\ttabs \r\n end  ",
        "trailing spaces   ",
        "\n\n",
        "don't you'LL see it's THEY'RE",
        "<|extra_203|>hello<|image start|>3*4<|image token|><|visual token 000007|><|visual token 000039|><|extra_200|><|extra_201|><|image end|><|extra_204|>",
        "You are a helpful assistant. USER: <|image start|>2*2<|image token|>. ASSISTANT:",
        "",
    ]
    tok_cases = []
    for text in cases:
        a = tok.encode(text, add_special_tokens=False).ids
        b = tk.encode(unicodedata.normalize("NFC", text), allowed_special="all")
        c = rank_bpe_encode(ranks, ids, text)
        assert a == b == c, f"tokenizer references disagree on {text!r}: {a} {b} {c}"
        tok_cases.append({"text": text, "ids": a})
    g.manifest["tokenizer"] = {"cases": tok_cases, "references": ["tokenizers", "tiktoken", "rank-bpe"]}
    g.manifest["special"] = special
    enc = lambda s: tk.encode(unicodedata.normalize("NFC", s), allowed_special="all")

    # --- model ---
    text_config = dict(
        vocab_size=vocab_size,
        hidden_size=64,
        intermediate_size=96,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=256,
        rms_norm_eps=1e-5,
        rope_theta=1e6,
        pad_token_id=special["pad"],
        bos_token_id=special["bos"],
        eos_token_id=special["eos"],
    )
    vq_config = dict(
        codebook_size=CODEBOOK,
        embed_dim=4,
        latent_channels=4,
        double_latent=False,
        in_channels=3,
        out_channels=3,
        temporal_downsample_factor=4,
        base_channels=32,
        channel_multiplier=[1, 2, 2],
        num_res_blocks=1,
        attn_resolutions=[2],
        hidden_size=64,
        num_attention_heads=1,
    )
    config = Emu3Config(text_config=text_config, vq_config=vq_config, vocabulary_map=vocabulary_map)
    model = Emu3ForConditionalGeneration(config).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            # Weights of a useful scale: activations of order 1 and logits spread over a few units, so greedy
            # choices and codebook look-ups are not decided by rounding noise. Norm scales and biases are
            # randomised too (initialisation leaves them at 1 and 0, which would hide a swapped tensor).
            if p.ndim == 1 and name.endswith("weight"):
                p.copy_(1 + 0.1 * torch.randn_like(p))
            elif name.endswith("bias"):
                p.copy_(0.05 * torch.randn_like(p))
            elif "embed_tokens" in name or "quantize.embedding" in name:
                p.copy_(torch.randn_like(p))
            elif "text_model" in name or "lm_head" in name:
                p.copy_(torch.randn_like(p) / math.sqrt(p.shape[1]) * (3 if "lm_head" in name else 1))
    # A trained decoder, not a random one: its predictions are confident like a real model's, so quantization
    # agreement is measured on meaningful choices rather than on near-ties of random logits.
    g.manifest["training"] = train_decoder(model, special, enc)
    print("trained decoder", g.manifest["training"], flush=True)
    with torch.no_grad():
        for p in model.parameters():
            # Round every weight to bf16 so the bf16 and fp32 files hold the same values.
            p.copy_(p.to(torch.bfloat16).float())
        for name, b in model.named_buffers():
            if "running_mean" in name:
                b.copy_((0.1 * torch.randn_like(b)).to(torch.bfloat16).float())
            elif "running_var" in name:
                b.copy_((1 + 0.2 * torch.rand_like(b)).to(torch.bfloat16).float())

    model.save_pretrained(dirs["hf"], max_shard_size="300KB")
    disk = {}
    for f in sorted(dirs["hf"].glob("*.safetensors")):
        shard = load_file(str(f))
        if any(k.startswith("model.") or k == "lm_head.weight" for k in shard):
            # This transformers saved in-memory names: write the legacy on-disk layout ourselves, the one the
            # converted hub checkpoints carry (docs/emu3-facts.md#checkpoint-layouts).
            shard = {to_disk_name(k): v for k, v in shard.items()}
            save_file(shard, str(f), metadata={"format": "pt"})
        disk.update(shard)
    index = dirs["hf"] / "model.safetensors.index.json"
    if index.exists():
        data = json.loads(index.read_text())
        data["weight_map"] = {to_disk_name(k): v for k, v in data["weight_map"].items()}
        index.write_text(json.dumps(data, indent=2))
    memory = {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}
    save_file({k: (v.to(torch.bfloat16) if v.is_floating_point() else v) for k, v in memory.items()}, str(dirs["hf-memory"] / "model.safetensors"), metadata={"format": "pt"})
    for f in ["config.json", "generation_config.json"]:
        if (dirs["hf"] / f).exists():
            (dirs["hf-memory"] / f).write_text((dirs["hf"] / f).read_text())

    preprocessor = {
        "do_resize": True,
        "resample": 3,
        "do_rescale": True,
        "rescale_factor": 1 / 255,
        "do_normalize": True,
        "image_mean": [0.5, 0.5, 0.5],
        "image_std": [0.5, 0.5, 0.5],
        "min_pixels": 16 * 16,
        "max_pixels": 64 * 64,
        "spatial_factor": 4,
    }
    for d in [dirs["hf"], dirs["hf-memory"]]:
        (d / "preprocessor_config.json").write_text(json.dumps({"image_processor_type": "Emu3ImageProcessor", **preprocessor}, indent=2))
    (dirs["original/vision"] / "preprocessor_config.json").write_text(
        json.dumps({"image_processor_type": "Emu3VisionVQImageProcessor", **preprocessor}, indent=2)
    )

    decoder_state, vision_state = to_original(disk)
    save_file({k: v.to(torch.bfloat16) for k, v in decoder_state.items()}, str(dirs["original/decoder"] / "model.safetensors"), metadata={"format": "pt"})
    save_file({k: (v.to(torch.bfloat16) if v.is_floating_point() else v) for k, v in vision_state.items()}, str(dirs["original/vision"] / "model.safetensors"), metadata={"format": "pt"})
    (dirs["original/decoder"] / "config.json").write_text(
        json.dumps(
            {
                "architectures": ["Emu3ForCausalLM"],
                "model_type": "Emu3",
                "vocab_size": vocab_size,
                "hidden_size": 64,
                "intermediate_size": 96,
                "num_hidden_layers": 2,
                "num_attention_heads": 4,
                "num_key_value_heads": 2,
                "hidden_act": "silu",
                "max_position_embeddings": 256,
                "rms_norm_eps": 1e-5,
                "rope_theta": 1000000.0,
                "rope_scaling": None,
                "tie_word_embeddings": False,
                "attention_dropout": 0.1,
                "initializer_range": 0.02,
                "pad_token_id": special["pad"],
                "bos_token_id": special["bos"],
                "eos_token_id": special["eos"],
                "img_token_id": special["img"],
                "boi_token_id": special["boi"],
                "eoi_token_id": special["eoi"],
                "eol_token_id": special["eol"],
                "eof_token_id": special["eof"],
                "image_area": 24 * 24,
                "torch_dtype": "bfloat16",
            },
            indent=2,
        )
    )
    (dirs["original/decoder"] / "generation_config.json").write_text(
        json.dumps({"bos_token_id": special["bos"], "eos_token_id": special["eos"], "pad_token_id": special["pad"]}, indent=2)
    )
    (dirs["original/vision"] / "config.json").write_text(
        json.dumps(
            {
                "architectures": ["Emu3VisionVQModel"],
                "model_type": "Emu3VisionVQ",
                "codebook_size": CODEBOOK,
                "embed_dim": 4,
                "z_channels": 4,
                "double_z": False,
                "in_channels": 3,
                "out_channels": 3,
                "temporal_downsample_factor": 4,
                "ch": 32,
                "ch_mult": [1, 2, 2],
                "num_res_blocks": 1,
                "attn_resolutions": [2],
                "dropout": 0.0,
            },
            indent=2,
        )
    )
    # The hf config.json gets the tiny image_area too, as a top-level field like the BAAI config.
    hf_config = json.loads((dirs["hf"] / "config.json").read_text())
    hf_config["image_area"] = 24 * 24
    for d in [dirs["hf"], dirs["hf-memory"]]:
        (d / "config.json").write_text(json.dumps(hf_config, ensure_ascii=False, separators=(",", ":")))

    # --- reference models: fresh fp32 instances loading the saved weights (exact inv_freq) ---
    fresh = Emu3ForConditionalGeneration.from_pretrained(str(dirs["hf"]), dtype=torch.float32, attn_implementation="eager").eval()
    for k, v in fresh.state_dict().items():
        assert torch.equal(v, memory[k].to(v.dtype)), f"reloaded weight differs: {k}"
    causal = Emu3ForCausalLM._from_config(Emu3TextConfig(**text_config), attn_implementation="eager").eval()
    causal.model.load_state_dict(fresh.model.text_model.state_dict())
    causal.lm_head.load_state_dict(fresh.lm_head.state_dict())
    vq = fresh.model.vqmodel

    # --- decoder logits: two sequences like the training data, and one of random ids ---
    rng = np.random.default_rng(SEED)
    seqs = {
        "generation": scene_sequence(special, enc, 0, 0, 3, 4, "generation"),
        "understanding": scene_sequence(special, enc, 2, 1, 2, 5, "understanding"),
        "random": rng.integers(0, vocab_size, 24).tolist()[:12],
    }
    g.manifest["decoder"] = {"sequences": []}
    with torch.no_grad():
        for name, seq in seqs.items():
            logits = causal(torch.tensor([seq])).logits[0].float().numpy()
            g.manifest["decoder"]["sequences"].append({"name": name, "ids": [int(x) for x in seq], "logits": g.array(f"logits-{name}", logits, np.float32)})
        a, b = seqs["generation"], seqs["understanding"][:20]
        length = max(len(a), len(b))
        ids_batch = [[special["pad"]] * (length - len(r)) + r for r in (a, b)]
        mask = [[0] * (length - len(r)) + [1] * len(r) for r in (a, b)]
        mask_t = torch.tensor(mask)
        pos = (mask_t.cumsum(-1) - 1).masked_fill(mask_t == 0, 1)
        logits = causal(torch.tensor(ids_batch), attention_mask=mask_t, position_ids=pos).logits.float().numpy()
        g.manifest["decoder"]["batch"] = {
            "ids": ids_batch,
            "attention_mask": mask,
            "note": "left-padded; position_ids = cumsum(mask) - 1; logits at padded positions are not meaningful",
            "logits": g.array("logits-batch", logits, np.float32),
        }

    # --- vision tokenizer ---
    def picture(h, w, t=0.0):
        yy, xx = np.mgrid[0:h, 0:w]
        r = 127 + 120 * np.sin(xx / 5.0 + t)
        gg = 127 + 120 * np.cos(yy / 4.0 - t)
        b = np.where(((xx - w / 2 - 4 * t) ** 2 + (yy - h / 2) ** 2) < (min(h, w) / 3) ** 2, 230, 30)
        return np.stack([r, gg, b], -1).clip(0, 255).astype(np.uint8)

    def pixels_of(img):
        x = img.astype(np.float32) * np.float32(1 / 255)
        x = (x - 0.5) / 0.5
        return torch.from_numpy(x.transpose(2, 0, 1).copy())

    def encode(pixels_btchw):
        with torch.no_grad():
            hidden = vq.encoder(pixels_btchw)  # [B, T', C, h, w]
            hidden = vq.quant_conv(hidden.permute(0, 2, 1, 3, 4)).permute(0, 2, 1, 3, 4)
            return vq.quantize(hidden)  # [B, T', h, w]

    def postprocess(frames):  # [..., 3, H, W] in [-1, 1] -> uint8 [..., H, W, 3], truncating like the reference
        x = (frames.float() * 0.5 + 0.5) * 255
        x = x.clamp(0, 255).to(torch.uint8).numpy()
        return np.moveaxis(x, -3, -1)

    g.manifest["vq"] = {"images": [], "videos": []}
    for name, (h, w) in {"image-24x40": (24, 40), "image-32x20": (32, 20)}.items():
        img = picture(h, w)
        Image.fromarray(img).save(g.root / f"{name}.png")
        px = pixels_of(np.asarray(Image.open(g.root / f"{name}.png").convert("RGB")))[None]  # [1, 3, H, W]
        codes = encode(px[:, None].repeat(1, 4, 1, 1, 1))[:, 0]  # [1, h, w]
        with torch.no_grad():
            decoded = vq.decode(codes)  # [1, 3, H, W]
        g.manifest["vq"]["images"].append(
            {
                "name": name,
                "png": f"{name}.png",
                "pixels": g.array(f"{name}-pixels", px.numpy(), np.float32),
                "codes": g.array(f"{name}-codes", codes.numpy(), np.int64),
                "decoded": g.array(f"{name}-decoded", postprocess(decoded), np.uint8),
            }
        )
    frames = [picture(16, 24, t * 0.7) for t in range(8)]
    pngs = []
    for i, f in enumerate(frames):
        Image.fromarray(f).save(g.root / f"video-frame{i}.png")
        pngs.append(f"video-frame{i}.png")
    px = torch.stack([pixels_of(np.asarray(Image.open(g.root / p).convert("RGB"))) for p in pngs])[None]  # [1, 8, 3, H, W]
    codes = encode(px)  # [1, 2, h, w]
    with torch.no_grad():
        decoded = vq.decode(codes)  # [1, 8, 3, H, W]
    g.manifest["vq"]["videos"].append(
        {
            "name": "video-8f",
            "pngs": pngs,
            "pixels": g.array("video-8f-pixels", px.numpy(), np.float32),
            "codes": g.array("video-8f-codes", codes.numpy(), np.int64),
            "decoded": g.array("video-8f-decoded", postprocess(decoded), np.uint8),
        }
    )

    # --- greedy generation with guidance and the prefix constraint ---
    negative_text = "lowres, bad anatomy, blurry."
    g.manifest["generation"] = []
    for name, prompt_text, (h, w), guidance in [("cube-3x4-cfg3", "a red cube", (3, 4), 3.0), ("sphere-2x5-cfg2", "a blue sphere", (2, 5), 2.0)]:
        meta = [special["boi"]] + enc(f"{h}*{w}") + [special["img"]]
        prompt = [special["bos"]] + enc(prompt_text) + meta
        negative = [special["bos"]] + enc(negative_text) + meta
        allowed = prefix_constraint(special, h, w, vocab_size)
        max_new = h * (w + 1) + 3
        processors = LogitsProcessorList(
            [
                UnbatchedClassifierFreeGuidanceLogitsProcessor(guidance, causal, unconditional_ids=torch.tensor([negative])),
                PrefixConstrainedLogitsProcessor(allowed, num_beams=1),
            ]
        )
        with torch.no_grad():
            generated = causal.generate(
                torch.tensor([prompt]),
                attention_mask=torch.ones(1, len(prompt), dtype=torch.long),
                logits_processor=processors,
                do_sample=False,
                max_new_tokens=max_new,
                eos_token_id=special["eos"],
                pad_token_id=special["pad"],
            )[0, len(prompt) :].tolist()
        manual = manual_cfg_greedy(causal, prompt, negative, guidance, allowed, max_new)
        assert generated == manual, f"generate() and the written-out loop disagree: {generated} vs {manual}"
        assert len(generated) == max_new and generated[-1] == special["eos"], generated
        g.manifest["generation"].append({"name": name, "prompt_ids": prompt, "negative_ids": negative, "h": h, "w": w, "guidance": guidance, "output_ids": generated})

    g.manifest["generator"] = {"transformers": transformers.__version__, "torch": torch.__version__, "seed": SEED, "script": "models/reference/make_fixtures.py"}
    (g.root / "manifest.json").write_text(json.dumps(g.manifest, separators=(",", ":")))
    print("done", json.dumps({k: v for k, v in g.manifest.items() if k in ("special", "generator")}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "models/reference/fixtures")
