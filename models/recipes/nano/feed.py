"""Training data made by background processes, so the GPU trains while examples are rendered and tokenized.

One training process alone spends most of each step in Python (sampling scenes, writing captions) and in the
vision tokenizer's encoder, with the decoder's step waiting. `Feed` starts producer processes (spawned, each
with its own CUDA context) that call `make(state, kind)` in a loop and send chunks of sequences over a queue;
the trainer draws batches from a pool per kind that the chunks keep refreshing. When the producers fall
behind, sequences in the pool are drawn again rather than the GPU waiting; `stats()` says how often.
"""

import multiprocessing as mp
import queue as queue_module

import numpy as np


def _produce(out, setup, make, kinds, seed):
    state = setup(seed)
    while True:
        for kind in kinds:
            seqs = make(state, kind)
            out.put((kind, [(np.asarray(i, np.int32), np.asarray(w, np.float32)) for i, w in seqs]))


class Pool:
    """The latest `capacity` sequences of one kind; batches are drawn uniformly, with replacement."""

    def __init__(self, capacity):
        self.capacity, self.items, self.cursor = capacity, [], 0

    def add(self, seqs):
        for s in seqs:
            if len(self.items) < self.capacity:
                self.items.append(s)
            else:
                self.items[self.cursor] = s
                self.cursor = (self.cursor + 1) % self.capacity

    def draw(self, rng, n):
        return [self.items[i] for i in rng.integers(0, len(self.items), n)]


class Feed:
    """`setup(seed)` builds a producer's state (tokenizer, renderer, vision tokenizer); `make(state, kind)` returns
    a list of (ids, weights). Both must be module-level functions (they are pickled by name)."""

    def __init__(self, setup, make, kinds, producers, seed, capacity, chunks_queued=16):
        ctx = mp.get_context("spawn")
        self.queue = ctx.Queue(maxsize=chunks_queued)
        self.pools = {k: Pool(capacity[k]) for k in kinds}
        self.made = dict.fromkeys(kinds, 0)
        self.drawn = dict.fromkeys(kinds, 0)
        self.rng = np.random.default_rng(seed)
        self.procs = [
            ctx.Process(target=_produce, args=(self.queue, setup, make, kinds, seed * 1000 + i), daemon=True)
            for i in range(producers)
        ]
        for p in self.procs:
            p.start()

    def _take(self, block):
        try:
            kind, seqs = self.queue.get(block=block, timeout=600 if block else None)
        except queue_module.Empty:
            return False
        self.pools[kind].add(seqs)
        self.made[kind] += len(seqs)
        return True

    def draw(self, kind, n):
        """n sequences of `kind`: everything the producers sent since the last call goes into the pools first;
        at the start this waits until the pool holds n fresh sequences."""
        while self._take(block=False):
            pass
        while len(self.pools[kind].items) < n:
            if not any(p.is_alive() for p in self.procs):
                raise RuntimeError("every data producer has stopped (see its traceback above)")
            self._take(block=True)
        self.drawn[kind] += n
        return self.pools[kind].draw(self.rng, n)

    def stats(self):
        """Sequences made and drawn per kind; drawn / made is how often an example was used on average."""
        return {k: {"made": self.made[k], "drawn": self.drawn[k]} for k in self.made}

    def close(self):
        for p in self.procs:
            p.terminate()
