"""load() on hostile and damaged checkpoints: refused with a clear error, nothing run.

Payloads are written the way an attacker would (`torch.save` of an object whose
`__reduce__` calls os.system, hand-made pickles, edited zips); each test checks that a
marker file the payload would create does not exist afterwards, and compares the refusal
with PyTorch's weights-only loader where it has one.
"""

from __future__ import annotations

import io
import os
import pathlib
import pickle
import struct
import sys
import time
import tracemalloc
import zipfile

import numpy as np
import pytest

import autograd_core as ag

torch = pytest.importorskip("torch")

REFUSED = (RuntimeError, pickle.UnpicklingError)


def _g(module: str, name: str) -> bytes:
    return b"c" + f"{module}\n{name}\n".encode()


def _s(text: str) -> bytes:
    raw = text.encode()
    return b"X" + struct.pack("<I", len(raw)) + raw


def _int(value: int) -> bytes:
    if -(2**31) <= value < 2**31:
        return b"J" + struct.pack("<i", value)
    raw = value.to_bytes(9, "little", signed=True)
    return b"\x8a" + bytes([len(raw)]) + raw


def _tensor_pickle(numel: int, size: tuple, stride: tuple, offset: int = 0) -> bytes:
    """_rebuild_tensor_v2 over ('storage', torch.FloatStorage, '0', 'cpu', numel)."""
    def tup(values: tuple) -> bytes:
        return b"(" + b"".join(_int(v) for v in values) + b"t"
    pid = (b"(" + _s("storage") + _g("torch", "FloatStorage") + _s("0") + _s("cpu") +
           _int(numel) + b"tQ")
    return (b"\x80\x02" + _g("torch._utils", "_rebuild_tensor_v2") + b"(" + pid + _int(offset) +
            tup(size) + tup(stride) + b"\x89" + _g("collections", "OrderedDict") + b")Rt" +
            b"R.")


def _checkpoint(pkl: bytes, records: dict[str, bytes] | None = None) -> io.BytesIO:
    """A zip laid out as a checkpoint (archive/data.pkl, archive/data/KEY, ...)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("archive/data.pkl", pkl)
        z.writestr("archive/byteorder", "little")
        for key, data in (records or {}).items():
            z.writestr(f"archive/data/{key}", data)
        z.writestr("archive/version", "3\n")
    buf.seek(0)
    return buf


@pytest.fixture
def marker(tmp_path: pathlib.Path) -> pathlib.Path:
    path = tmp_path / "PWNED"
    yield path
    assert not path.exists(), "a payload in the checkpoint ran"


def _both_refuse(buf: io.BytesIO, fragment: str) -> None:
    """Ours and PyTorch's weights-only loader both raise UnpicklingError naming `fragment`."""
    with pytest.raises(pickle.UnpicklingError) as ours:
        ag.load(io.BytesIO(buf.getvalue()))
    with pytest.raises(pickle.UnpicklingError) as theirs:
        torch.load(io.BytesIO(buf.getvalue()), weights_only=True)
    assert fragment in str(ours.value) and fragment in str(theirs.value)
    assert str(ours.value).startswith("Weights only load failed.")


# ------------------------------------------------------------------ code in the pickle
class _System:
    def __init__(self, marker: pathlib.Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return (os.system, (f"touch {self.marker}",))


class _Eval:
    def __init__(self, marker: pathlib.Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return (eval, (f"open({str(self.marker)!r}, 'w')",))


def test_reduce_payload_written_by_torch_save_is_refused(marker: pathlib.Path) -> None:
    buf = io.BytesIO()
    torch.save({"weights": torch.ones(2), "x": _System(marker)}, buf)
    _both_refuse(buf, f"GLOBAL {os.system.__module__}.system")


def test_globals_outside_the_list_are_refused_by_name(marker: pathlib.Path) -> None:
    buf = io.BytesIO()
    torch.save([_Eval(marker)], buf)
    _both_refuse(buf, "Unsupported global: GLOBAL eval was not an allowed global by default.")
    for module, name in (("subprocess", "Popen"), ("collections", "defaultdict"),
                         ("torch", "load"), ("numpy", "load"), ("this", "s")):
        pkl = b"\x80\x02" + _g(module, name) + _s("x") + b"\x85R."
        with pytest.raises(pickle.UnpicklingError, match=rf"GLOBAL {module}\.{name} "):
            ag.load(_checkpoint(pkl))
    assert "this" not in sys.modules  # a refused global is never imported
    buf = io.BytesIO()
    torch.save(torch.nn.Linear(2, 2), buf)  # a whole module: a class, not weights
    with pytest.raises(pickle.UnpicklingError,
                       match=r"GLOBAL torch\.nn\.modules\.linear\.Linear .*state_dict\(\)"):
        ag.load(io.BytesIO(buf.getvalue()))


@pytest.mark.parametrize(("pkl", "match"), [
    # an allowed callable with arguments it must not take
    (_g("_codecs", "encode") + _s("x") + _s("zlib_codec") + b"\x86R.", "latin-1 strings"),
    (_g("builtins", "bytearray") + b"\x8a\x06" + (2**40).to_bytes(6, "little") + b"\x85R.",
     r"bytearray\(n\)"),
    # calling something that is not an allowed callable (a dtype, a plain string)
    (_g("torch", "float32") + b")R.", "unrecognized function"),
    (_s("os.system") + b")R.", "unrecognized function"),
    (_g("torch", "Tensor") + _int(2**40) + b"\x85R.", "unrecognized function"),  # 4 TiB
    # creating an object of a class outside the list, setting attributes on a tensor
    (_g("torch", "Tensor") + b")\x81.", "Can only create new object"),
    (_g("torch", "Size") + b")R}" + _s("__class__") + b"Ns" + b"b.", "Can only build"),
    # a persistent id that is not a storage, opcodes the reader does not have
    (b"(" + _s("module") + b"tQ.", "Only persistent_load of storage"),
    (b"\x95" + b"\x00" * 8 + b"N.", "Unsupported operand 149"),
    (b"I1\n.", "Unsupported operand 73"),
    (b"\x93.", "Unsupported operand 147"),  # STACK_GLOBAL: names a global off the stack
])
def test_allowed_machinery_cannot_be_abused(pkl: bytes, match: str,
                                            marker: pathlib.Path) -> None:
    with pytest.raises(REFUSED, match=match):
        ag.load(_checkpoint(b"\x80\x02" + pkl))


# ------------------------------------------------------------------ damaged files
def _real_checkpoint() -> bytes:
    torch.manual_seed(0)
    buf = io.BytesIO()
    model = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    torch.save({"model": model.state_dict(), "step": 10}, buf)
    return buf.getvalue()


def test_truncated_zips_are_refused_at_every_length() -> None:
    data = _real_checkpoint()
    cuts = sorted({*range(0, len(data), 37), len(data) - 1, len(data) - 22, 4})
    for cut in cuts:
        with pytest.raises(RuntimeError, match=r"truncated|is empty|not a zip") as ours:
            ag.load(io.BytesIO(data[:cut]))
        assert str(ours.value)
    with pytest.raises(RuntimeError, match="failed finding central directory"):
        torch.load(io.BytesIO(data[:-1]), weights_only=True)  # the oracle says the same


def test_flipped_storage_byte_fails_the_crc() -> None:
    data = bytearray(_real_checkpoint())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("archive/data/0")
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26:][:4])
    start = info.header_offset + 30 + name_len + extra_len  # the local header's own extra
    data[start + 3] ^= 0x40
    with pytest.raises(RuntimeError, match=r"data/0.*CRC"):
        ag.load(io.BytesIO(bytes(data)))


@pytest.mark.parametrize(("numel", "size", "stride", "offset", "match"), [
    (4, (3,), (1,), 0, "holds 12 bytes.*declares 16 bytes"),  # the pickle says 4 elements
    (2, (2,), (1,), 0, "holds 12 bytes.*declares 8 bytes"),
    (3, (10,), (1,), 0, "reads past its storage of 3 elements"),
    (3, (2,), (2,), 1, "reads past its storage"),
    (3, (2,), (1,), 5, "reads past its storage"),
    (3, (2,), (-1,), 1, "negative offset, size or stride"),
    (3, (2**62, 2**62), (1, 1), 0, "more elements than an int64"),
    (3, (2**40, 2**30), (0, 0), 0, "more elements than an int64"),
    (3, (2**61,), (0,), 0, "cannot be made"),  # 8 EiB of float32: numpy's own limit
    (2**60, (1,), (1,), 0, "declares 4611686018427387904 bytes"),
])
def test_wrong_and_huge_sizes_are_refused_before_allocating(numel: int, size: tuple,
                                                            stride: tuple, offset: int,
                                                            match: str) -> None:
    buf = _checkpoint(_tensor_pickle(numel, size, stride, offset),
                      {"0": np.arange(3, dtype="<f4").tobytes()})
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(RuntimeError, match=match):
            ag.load(buf)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20 and time.perf_counter() - started < 2.0


def test_a_record_declaring_more_bytes_than_the_file_has_is_refused() -> None:
    data = bytearray(_real_checkpoint())
    # Edit the central directory: data/0 now claims 4 GiB (stored, so 4 GiB to read).
    at = data.find(b"archive/data/0", zipfile.ZipFile(io.BytesIO(bytes(data))).start_dir) - 46
    data[at + 20:at + 28] = struct.pack("<II", 0xFFFFFFFE, 0xFFFFFFFE)
    tracemalloc.start()
    try:
        with pytest.raises(RuntimeError, match="declares 4294967294 bytes"):
            ag.load(io.BytesIO(bytes(data)))
        assert tracemalloc.get_traced_memory()[1] < 8 << 20
    finally:
        tracemalloc.stop()


def test_random_damage_to_the_pickle_is_only_ever_refused(marker: pathlib.Path) -> None:
    data = _real_checkpoint()
    z = zipfile.ZipFile(io.BytesIO(data))
    pkl = z.read("archive/data.pkl")
    records = {n.split("/")[-1]: z.read(n) for n in z.namelist() if "/data/" in n}
    rng = np.random.default_rng(13)
    outcomes = set()
    for _ in range(400):
        broken = bytearray(pkl)
        for at in rng.integers(2, len(pkl), int(rng.integers(1, 4))):
            broken[at] = int(rng.integers(0, 256))
        try:
            ag.load(_checkpoint(bytes(broken), records))
            outcomes.add("loaded")
        except REFUSED as exc:
            assert str(exc)
            outcomes.add(type(exc).__name__)
    assert "UnpicklingError" in outcomes


def test_random_damage_anywhere_in_the_file_is_only_ever_refused() -> None:
    data = _real_checkpoint()
    rng = np.random.default_rng(7)
    for _ in range(1500):
        broken = bytearray(data)
        for at in rng.integers(0, len(data), int(rng.integers(1, 4))):
            broken[at] = int(rng.integers(0, 256))
        try:
            ag.load(io.BytesIO(bytes(broken)))
        except REFUSED as exc:
            assert str(exc)
