"""A checkpoint of another decoder size with untrained weights, to time the engine before training it.

    python3 models/recipes/nano/probe_checkpoint.py --base models/nano --out DIR \\
        --text '{"hidden_size": 512, "num_hidden_layers": 6, "num_attention_heads": 8}'

The base checkpoint's tokenizer, vision tokenizer and config, with its decoder replaced by one of the given
shape (normal weights of std 0.02, norms at 1, in bf16): `node dist/engine/src/bench/nano.bench.js --model DIR`
then says how long an image and a video would take on this machine, since the token counts do not depend on
what the weights draw. Pure numpy (no torch). What such a model draws means nothing.
"""

import argparse
import json
import shutil
from pathlib import Path

import numpy as np

from safetensors_files import read_arrays, write_arrays


def bf16(x):
    """float32 → bf16 bits, rounded to nearest even."""
    bits = x.astype(np.float32).view(np.uint32)
    return ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)


def decoder_arrays(cfg, rng):
    """The text_model.* tensors of an Emu3 decoder of this shape (on-disk names)."""
    h, m, v = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    head = h // cfg["num_attention_heads"]
    kv = head * cfg["num_key_value_heads"]
    normal = lambda *shape: ("BF16", bf16(rng.normal(0, 0.02, shape)))
    ones = lambda n: ("BF16", bf16(np.ones(n)))
    out = {"text_model.model.embed_tokens.weight": normal(v, h), "text_model.model.norm.weight": ones(h),
           "text_model.lm_head.weight": normal(v, h)}
    for i in range(cfg["num_hidden_layers"]):
        p = f"text_model.model.layers.{i}."
        out |= {p + "input_layernorm.weight": ones(h), p + "post_attention_layernorm.weight": ones(h),
                p + "self_attn.q_proj.weight": normal(h, h), p + "self_attn.k_proj.weight": normal(kv, h),
                p + "self_attn.v_proj.weight": normal(kv, h), p + "self_attn.o_proj.weight": normal(h, h),
                p + "mlp.gate_proj.weight": normal(m, h), p + "mlp.up_proj.weight": normal(m, h),
                p + "mlp.down_proj.weight": normal(h, m)}
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--text", default="{}", help="JSON overrides of the decoder's text_config")
    args = ap.parse_args()
    config = json.loads((args.base / "config.json").read_text())
    config["text_config"].update(json.loads(args.text))
    tensors = {}
    for shard in sorted(args.base.glob("model-*.safetensors")):
        tensors |= {k: t for k, t in read_arrays(shard).items() if k.startswith("vqmodel.")}
    decoder = decoder_arrays(config["text_config"], np.random.default_rng(0))
    args.out.mkdir(parents=True, exist_ok=True)
    write_arrays(args.out / "model.safetensors", decoder | tensors)
    (args.out / "config.json").write_text(json.dumps(config, indent=1))
    for f in ("tokenizer.json", "tokenizer_config.json", "preprocessor_config.json", "generation_config.json"):
        shutil.copy(args.base / f, args.out / f)
    params = sum(a.size for _, a in decoder.values())
    print(f"wrote {args.out}: decoder {params / 1e6:.2f} M parameters, {(args.out / 'model.safetensors').stat().st_size / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
