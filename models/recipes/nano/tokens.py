"""The nano model's tokenizer and token sequences, in Emu3's format (docs/token-format.md).

The tokenizer is a byte-level BPE with Qwen's pre-tokenizer trained on the world's own texts, followed by
Emu3's 208 special tokens, the three vision markers and one visual token per code: the same files and the same
layout of ids as the real checkpoints (so the engine reads it like any download).
"""

import sys
import unicodedata
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "reference"))
from make_fixtures import SPECIALS, train_ranks, write_tokenizers  # noqa: E402

import world as W  # noqa: E402
import data as D  # noqa: E402

BPE_VOCAB = 640
CHAT_PREFIX = "You are a helpful assistant. USER: "
CHAT_SUFFIX = ". ASSISTANT:"


def vision_lines(codebook):
    return ["<|image token|>", "<|image start|>", "<|image end|>"] + [f"<|visual token {c:06d}|>" for c in range(codebook)]


def corpus(seed=7, n=6000):
    """Texts the model will read and write: captions, questions, answers, the chat frame and meta digits."""
    rng = np.random.default_rng(seed)
    texts = [CHAT_PREFIX + CHAT_SUFFIX, "16*16 16*16*4@8 0123456789 * @ .", D.NEGATIVE_PROMPT]
    for _ in range(n):
        ex = D.image_example(rng, heldout=None)
        texts.append(ex["caption"])
        texts.extend(f"{q} {a}" for q, a in ex["qa"])
    for _ in range(n // 4):
        ex = D.video_example(rng)
        texts.append(ex["caption"])
        texts.extend(f"{q} {a}" for q, a in ex["qa"])
    return ["\n".join(texts)]


class Vocab:
    """Token ids of the nano tokenizer and a cached text encoder."""

    def __init__(self, tok, codebook):
        self.tok = tok
        get = tok.token_to_id
        self.pad, self.bos, self.eos = get("<|endoftext|>"), get("<|extra_203|>"), get("<|extra_204|>")
        self.img, self.boi, self.eoi = get("<|image token|>"), get("<|image start|>"), get("<|image end|>")
        self.eol, self.eof = get("<|extra_200|>"), get("<|extra_201|>")
        self.visual0 = get("<|visual token 000000|>")
        self.size = tok.get_vocab_size()
        self.codebook = codebook
        self._cache = {}

    def encode(self, text):
        if text not in self._cache:
            self._cache[text] = self.tok.encode(unicodedata.normalize("NFC", text), add_special_tokens=False).ids
        return self._cache[text]


def build_tokenizer(out_dir, codebook):
    """Writes tokenizer.json + tokenizer_config.json into out_dir (and the tiktoken form into out_dir/original)."""
    ranks = train_ranks(corpus(), BPE_VOCAB)
    original = Path(out_dir) / "original"
    original.mkdir(parents=True, exist_ok=True)
    tok, vocabulary_map, _ = write_tokenizers(ranks, original, [Path(out_dir)], vision_lines(codebook), max_length=4096)
    return Vocab(tok, codebook), vocabulary_map


def block(v, codes, fps=None):
    """The vision block for codes `[T, h, w]` (numpy/torch ints): BOI meta IMG rows… EOF… EOI."""
    T, h, w = codes.shape
    meta = f"{h}*{w}" if fps is None else f"{h}*{w}*{T}@{fps}"
    body = np.concatenate(
        [np.asarray(codes, dtype=np.int64) + v.visual0, np.full((T, h, 1), v.eol, dtype=np.int64)], axis=2
    ).reshape(T, -1)  # [T, h*(w+1)]
    body = np.concatenate([body, np.full((T, 1), v.eof, dtype=np.int64)], axis=1).reshape(-1)
    return [v.boi] + v.encode(meta) + [v.img], body.tolist() + [v.eoi]


def generation_sequence(v, caption, codes, fps=None):
    """BOS caption BOI meta IMG body EOI EOS, with per-token loss weights (vision 0.5, text 1)."""
    head, body = block(v, codes, fps)
    ids = [v.bos] + v.encode(caption) + head + body + [v.eos]
    weights = [1.0] * (1 + len(v.encode(caption)) + len(head)) + [0.5] * len(body) + [1.0]
    return ids, weights


def understanding_sequence(v, codes, question, answer, fps=None):
    """BOS "You are a helpful assistant. USER: " block question ". ASSISTANT:" " answer" EOS; loss on the answer
    (the engine's understanding prompt, engine/src/generate/format-prompt.ts)."""
    head, body = block(v, codes, fps)
    prompt = [v.bos] + v.encode(CHAT_PREFIX) + head + body + v.encode(question + CHAT_SUFFIX)
    reply = v.encode(" " + answer) + [v.eos]
    return prompt + reply, [0.0] * len(prompt) + [1.0] * len(reply)


def collate(seqs, pad):
    """Right-pads [(ids, weights)] into ids `[B, S]`, labels `[B, S]` (next token) and weights `[B, S]`."""
    S = max(len(ids) for ids, _ in seqs)
    ids = torch.full((len(seqs), S), pad, dtype=torch.long)
    weights = torch.zeros(len(seqs), S)
    for i, (s, w) in enumerate(seqs):
        ids[i, : len(s)] = torch.tensor(s)
        # weights[t] applies to predicting token t from the tokens before it
        weights[i, : len(w)] = torch.tensor(w)
    weights[:, 0] = 0
    return ids, weights
