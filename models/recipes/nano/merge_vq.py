"""Puts the vision tokenizer of one packaged checkpoint into another, byte for byte (no torch).

    python3 merge_vq.py --decoder-from PACKAGE --vq-from PACKAGE --out DIR

Both packages must come from package.py (same index, same tensor names). The result has every `text_model.*`
tensor of --decoder-from and every `vqmodel.*` tensor of --vq-from. This is valid only when the two vision
tokenizers share their encoder and codebook (a `train_vq.py --decoder-only` run), so that the decoder was
trained on exactly the codes the merged tokenizer produces; the script checks that they do.
"""

import argparse
import json
import shutil
from pathlib import Path

from safetensors_files import read, tensor_bytes, write

ENCODING_SIDE = ("vqmodel.encoder.", "vqmodel.quant_conv.", "vqmodel.quantize.")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--decoder-from", type=Path, required=True)
    ap.add_argument("--vq-from", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    index = json.loads((args.decoder_from / "model.safetensors.index.json").read_text())
    other = json.loads((args.vq_from / "model.safetensors.index.json").read_text())
    if index["weight_map"] != other["weight_map"]:
        raise SystemExit("the two packages hold different tensors")
    shutil.copytree(args.decoder_from, args.out)
    for shard in sorted(set(index["weight_map"].values())):
        head_d, data_d = read(args.decoder_from / shard)
        head_v, data_v = read(args.vq_from / shard)
        tensors = {}
        for name, info in head_d.items():
            if name == "__metadata__":
                continue
            source = (head_v, data_v) if name.startswith("vqmodel.") else (head_d, data_d)
            if name.startswith(ENCODING_SIDE) and tensor_bytes(head_d, data_d, name) != tensor_bytes(head_v, data_v, name):
                raise SystemExit(f"{name} differs: the vision tokenizers do not share their encoder and codebook")
            if source[0][name]["shape"] != info["shape"] or source[0][name]["dtype"] != info["dtype"]:
                raise SystemExit(f"{name} has a different shape or dtype in the two packages")
            tensors[name] = (info["dtype"], info["shape"], tensor_bytes(*source, name))
        write(args.out / shard, tensors, head_d.get("__metadata__"))
        print(f"{shard}: {len(tensors)} tensors")


if __name__ == "__main__":
    main()
