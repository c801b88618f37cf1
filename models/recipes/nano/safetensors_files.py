"""safetensors files read and written without torch (the standard library, numpy for arrays), so that the
packaging helpers also run on the development machine."""

import json
import struct
from pathlib import Path

import numpy as np

DTYPES = {"F32": np.float32, "BF16": np.uint16, "F16": np.float16, "I64": np.int64}


def read(path):
    """(header dict, data bytes) of a safetensors file."""
    raw = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    return json.loads(raw[8 : 8 + n]), raw[8 + n :]


def tensor_bytes(header, data, name):
    start, end = header[name]["data_offsets"]
    return data[start:end]


def read_arrays(path):
    """{name: (dtype name, array)}; bf16 comes back as its raw uint16 bits."""
    header, data = read(path)
    return {
        name: (info["dtype"], np.frombuffer(tensor_bytes(header, data, name), DTYPES[info["dtype"]]).reshape(info["shape"]))
        for name, info in header.items()
        if name != "__metadata__"
    }


def write(path, tensors, metadata=None):
    """tensors: {name: (dtype name, shape, bytes)}, written in that order, the data 8-byte aligned."""
    header, chunks, offset = {"__metadata__": metadata or {"format": "pt"}}, [], 0
    for name, (dtype, shape, chunk) in tensors.items():
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(chunk)]}
        chunks.append(chunk)
        offset += len(chunk)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    Path(path).write_bytes(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def write_arrays(path, arrays):
    """arrays: {name: (dtype name, array)}."""
    write(path, {n: (d, a.shape, np.ascontiguousarray(a).tobytes()) for n, (d, a) in arrays.items()})
