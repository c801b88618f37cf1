"""Assembles the trained parts into a standard Emu3 checkpoint in the transformers on-disk layout.

    python3 package.py --vq VQ_DIR --decoder DECODER_DIR --out models/nano

The folder is what a user gets from the hub for Emu3-Gen-hf, only small: config.json (model_type emu3,
text_config, vq_config, vocabulary_map, image_area), bf16 safetensors shards with the on-disk names
(text_model.model.*, text_model.lm_head.weight, vqmodel.*), tokenizer.json, tokenizer_config.json,
preprocessor_config.json, generation_config.json. The engine imports it like any download.
"""

import argparse
import json
import shutil
import sys
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from transformers import Emu3Config, Emu3ForConditionalGeneration

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "reference"))
from make_fixtures import to_disk_name  # noqa: E402

import world as W  # noqa: E402

SPATIAL_FACTOR = 8


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vq", type=Path, required=True)
    ap.add_argument("--decoder", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    out = args.out
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)

    vq_config = json.loads((args.vq / "vq_config.json").read_text())
    text_config = json.loads((args.decoder / "decoder_config.json").read_text())
    vocabulary_map = json.loads((args.decoder / "vocabulary_map.json").read_text())
    config = Emu3Config(text_config=text_config, vq_config=vq_config, vocabulary_map=vocabulary_map)
    model = Emu3ForConditionalGeneration(config)
    decoder = load_file(str(args.decoder / "decoder.safetensors"))
    model.model.text_model.load_state_dict({k[len("model."):]: v for k, v in decoder.items() if k.startswith("model.")})
    model.lm_head.load_state_dict({"weight": decoder["lm_head.weight"]})
    model.model.vqmodel.load_state_dict(load_file(str(args.vq / "vq.safetensors")))
    model = model.to(torch.bfloat16)
    model.save_pretrained(out, max_shard_size="12MB")

    # transformers 5 writes the in-memory names; the converted hub checkpoints carry the on-disk ones.
    for f in sorted(out.glob("*.safetensors")):
        shard = load_file(str(f))
        save_file({to_disk_name(k): v for k, v in shard.items()}, str(f), metadata={"format": "pt"})
    index = out / "model.safetensors.index.json"
    if index.exists():
        data = json.loads(index.read_text())
        data["weight_map"] = {to_disk_name(k): v for k, v in data["weight_map"].items()}
        index.write_text(json.dumps(data, indent=2))

    cfg = json.loads((out / "config.json").read_text())
    cfg["image_area"] = W.SIZE * W.SIZE
    (out / "config.json").write_text(json.dumps(cfg, ensure_ascii=False, indent=1))
    for name in ["tokenizer.json", "tokenizer_config.json"]:
        shutil.copy(args.decoder / name, out / name)
    (out / "preprocessor_config.json").write_text(json.dumps({
        "image_processor_type": "Emu3ImageProcessor",
        "do_resize": True, "resample": 3, "do_rescale": True, "rescale_factor": 1 / 255, "do_normalize": True,
        "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5],
        "min_pixels": 64 * 64, "max_pixels": W.SIZE * W.SIZE, "spatial_factor": SPATIAL_FACTOR,
    }, indent=2))
    special = {"bos_token_id": text_config["bos_token_id"], "eos_token_id": text_config["eos_token_id"],
               "pad_token_id": text_config["pad_token_id"]}
    (out / "generation_config.json").write_text(json.dumps(special, indent=2))
    total = sum(f.stat().st_size for f in out.iterdir())
    print(f"packaged {out}: {total / 2**20:.1f} MiB", flush=True)
    # Reload through transformers as a user would, to prove the folder is a valid checkpoint.
    again = Emu3ForConditionalGeneration.from_pretrained(str(out), dtype=torch.float32)
    print("reloaded", sum(p.numel() for p in again.parameters()) / 1e6, "M params", flush=True)


if __name__ == "__main__":
    main()
