"""A checkpoint for measuring a vision tokenizer's ceiling in the engine before any decoder is trained on it.

    python3 models/recipes/nano/ceiling_checkpoint.py --base models/nano --vq RUN/vq --out DIR

`emu3 eval shapes` scores three sources: the model's pictures, ground-truth renders and those renders through
the package's vision tokenizer and back (the ceiling). Only the last matters when choosing a tokenizer, and it
needs no trained decoder: this writes the base checkpoint's decoder, its vocabulary widened to the new
codebook (the new visual tokens' rows copied from existing ones), beside the new tokenizer. Pure numpy (no torch),
so it runs on the development machine; the model's own scores from such a package mean nothing.
"""

import argparse
import json
import shutil
from pathlib import Path

import numpy as np

from safetensors_files import read_arrays, write_arrays

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", type=Path, required=True)
    ap.add_argument("--vq", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    config = json.loads((args.base / "config.json").read_text())
    vq_config = json.loads((args.vq / "vq_config.json").read_text())
    codebook = vq_config["codebook_size"]
    vocab = config["vocabulary_map"]
    first = vocab["<|visual token 000000|>"]
    old_codebook = config["vq_config"]["codebook_size"]
    assert first + old_codebook == config["text_config"]["vocab_size"], "visual tokens must end the vocabulary"
    names = [f"<|visual token {c:06d}|>" for c in range(codebook)]
    for c, name in enumerate(names):
        vocab[name] = first + c
    for c in range(codebook, old_codebook):
        vocab.pop(f"<|visual token {c:06d}|>")
    size = first + codebook
    config["text_config"]["vocab_size"] = size
    config["vq_config"] = {**config["vq_config"], **vq_config, "model_type": "emu3_vqgan"}

    tensors = {}
    for shard in sorted(args.base.glob("model-*.safetensors")):
        for name, (dtype, array) in read_arrays(shard).items():
            if name.startswith("vqmodel."):
                continue
            if name in ("text_model.lm_head.weight", "text_model.model.embed_tokens.weight"):
                rows = np.arange(size)
                rows[first:] = first + rows[first:] % old_codebook  # new visual tokens copy existing rows
                array = array[rows]
            tensors[name] = (dtype, array)
    for name, (dtype, array) in read_arrays(args.vq / "vq.safetensors").items():
        tensors["vqmodel." + name] = (dtype, array)

    args.out.mkdir(parents=True, exist_ok=True)
    write_arrays(args.out / "model.safetensors", tensors)
    (args.out / "config.json").write_text(json.dumps(config, indent=1))
    tok = json.loads((args.base / "tokenizer.json").read_text())
    template = next(t for t in tok["added_tokens"] if t["content"] == names[0])
    tok["added_tokens"] = [t for t in tok["added_tokens"] if not t["content"].startswith("<|visual token")]
    tok["added_tokens"] += [dict(template, id=first + c, content=n) for c, n in enumerate(names)]
    (args.out / "tokenizer.json").write_text(json.dumps(tok, ensure_ascii=False))
    for f in ("tokenizer_config.json", "preprocessor_config.json", "generation_config.json"):
        if (args.base / f).exists():
            shutil.copy(args.base / f, args.out / f)
    print(f"wrote {args.out}: vocabulary {size}, codebook {codebook}")


if __name__ == "__main__":
    main()
