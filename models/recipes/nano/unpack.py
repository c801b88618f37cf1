"""Turns a packaged checkpoint back into the training steps' folders, so that training resumes from it.

    python3 unpack.py --package models/nano --out /tmp/nano [--stage video]

Writes OUT/vq (vq.safetensors, vq_config.json) and OUT/STAGE (decoder.safetensors with the training names,
decoder_config.json, vocabulary_map.json, the tokenizer files, and the state.json and curve.csv kept in the
package's training/ folder). Weights come back in the package's precision (bf16): a run continued from them
re-warms its learning rate, as the optimizer's moments do not travel.
"""

import argparse
import json
import shutil
from pathlib import Path

from safetensors.torch import load_file, save_file


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--package", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--stage", default=None, help="folder name for the decoder (default: the stage in state.json)")
    args = ap.parse_args()
    pkg = args.package
    config = json.loads((pkg / "config.json").read_text())
    training = pkg / "training"
    state = json.loads((training / "state.json").read_text()) if (training / "state.json").exists() else {}
    stage = args.stage or state.get("stage", "image")
    tensors = {}
    for shard in sorted(pkg.glob("model*.safetensors")):
        tensors.update(load_file(str(shard)))
    vq = {k[len("vqmodel."):]: t.float() for k, t in tensors.items() if k.startswith("vqmodel.")}
    decoder = {k[len("text_model."):]: t.float() for k, t in tensors.items() if k.startswith("text_model.")}
    (args.out / "vq").mkdir(parents=True, exist_ok=True)
    save_file(vq, str(args.out / "vq" / "vq.safetensors"))
    vq_config = {k: v for k, v in config["vq_config"].items() if k != "model_type"}
    (args.out / "vq" / "vq_config.json").write_text(json.dumps(vq_config, indent=2))
    dec = args.out / stage
    dec.mkdir(parents=True, exist_ok=True)
    save_file(decoder, str(dec / "decoder.safetensors"))
    text_config = {k: v for k, v in config["text_config"].items() if k != "model_type"}
    (dec / "decoder_config.json").write_text(json.dumps(text_config, indent=2))
    (dec / "vocabulary_map.json").write_text(json.dumps(config["vocabulary_map"]))
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(pkg / name, dec / name)
    for name in ("state.json", "curve.csv"):
        if (training / name).exists():
            shutil.copy(training / name, dec / name)
    print(f"unpacked {pkg} into {args.out}/vq and {dec} (stage {stage}, step {state.get('step', 0)})")


if __name__ == "__main__":
    main()
