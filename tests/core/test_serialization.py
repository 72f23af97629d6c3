"""save/load against PyTorch 2.13 (the oracle): checkpoints move both ways, views stay shared.

Files written by `torch.save` load into our models and optimizers; files we write load in
`torch.load(weights_only=True)` with equal values; and our writer lays the zip out exactly
as PyTorch's does (the same bytes but the random serialization id).
"""

from __future__ import annotations

import io
import pathlib
import pickle
import zipfile
from collections import Counter, OrderedDict

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn, optim

torch = pytest.importorskip("torch")


def _np(t: object) -> np.ndarray:
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)


def _layers(m: object, bn: bool = False) -> list:
    norm = [m.BatchNorm1d(8)] if bn else []
    return [m.Linear(4, 8), *norm, m.ReLU(), m.Linear(8, 3)]


def _data() -> tuple:
    gen = np.random.default_rng(0)
    x = gen.standard_normal((16, 4)).astype(np.float32)
    y = gen.integers(0, 3, 16)
    return torch.tensor(x), torch.tensor(y), ag.tensor(x), ag.tensor(y)


def _train(model: object, opt: object, x: object, y: object, F: object, steps: int) -> None:
    for _ in range(steps):
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()


def _max_diff(ours: object, theirs: object) -> float:
    return max(float(np.abs(_np(p) - _np(q)).max())
               for p, q in zip(ours.parameters(), theirs.parameters()))


# ------------------------------------------------------------------ models and optimizers
@pytest.mark.parametrize("bn", [False, True])
def test_torch_state_dict_loads_into_our_model(tmp_path: pathlib.Path, bn: bool) -> None:
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(*_layers(torch.nn, bn))
    tx, _, ox, _ = _data()
    theirs(tx)  # BatchNorm's running stats move away from their initial values
    torch.save(theirs.state_dict(), tmp_path / "m.pt")
    ours = nn.Sequential(*_layers(nn, bn))
    state = ag.load(tmp_path / "m.pt")
    assert list(state) == list(theirs.state_dict())
    assert isinstance(state, OrderedDict) and state._metadata[""] == {"version": 1}
    ours.load_state_dict(state)
    ours.eval(), theirs.eval()
    np.testing.assert_allclose(_np(ours(ox)), _np(theirs(tx)), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("bn", [False, True])
def test_our_state_dict_loads_into_torch(tmp_path: pathlib.Path, bn: bool) -> None:
    ag.manual_seed(0)
    ours = nn.Sequential(*_layers(nn, bn))
    tx, _, ox, _ = _data()
    ours(ox)
    ag.save(ours.state_dict(), tmp_path / "m.pt")
    theirs = torch.nn.Sequential(*_layers(torch.nn, bn))
    theirs.load_state_dict(torch.load(tmp_path / "m.pt", weights_only=True))
    ours.eval(), theirs.eval()
    np.testing.assert_allclose(_np(theirs(tx)), _np(ours(ox)), rtol=1e-6, atol=1e-6)


# Adam on a model without BatchNorm: BatchNorm makes the first bias's true gradient zero, and
# Adam turns that bias's rounding noise into full-size steps (both libraries, differently).
@pytest.mark.parametrize(("name", "kwargs", "bn"), [
    ("Adam", {"lr": 1e-2}, False), ("AdamW", {"lr": 1e-2}, False),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}, True),
])
def test_torch_optimizer_state_resumes_in_ours(tmp_path: pathlib.Path, name: str,
                                               kwargs: dict, bn: bool) -> None:
    torch.manual_seed(0)
    tx, ty, ox, oy = _data()
    theirs = torch.nn.Sequential(*_layers(torch.nn, bn))
    topt = getattr(torch.optim, name)(theirs.parameters(), **kwargs)
    _train(theirs, topt, tx, ty, torch.nn.functional, 3)
    torch.save({"model": theirs.state_dict(), "optim": topt.state_dict(), "epoch": 3,
                "loss": 0.25, "tag": "run-1"}, tmp_path / "ckpt.pt")
    ckpt = ag.load(tmp_path / "ckpt.pt", map_location="cpu")
    assert (ckpt["epoch"], ckpt["loss"], ckpt["tag"]) == (3, 0.25, "run-1")
    ours = nn.Sequential(*_layers(nn, bn))
    ours.load_state_dict(ckpt["model"])
    oopt = getattr(optim, name)(ours.parameters(), **kwargs)
    oopt.load_state_dict(ckpt["optim"])
    _train(theirs, topt, tx, ty, torch.nn.functional, 3)
    _train(ours, oopt, ox, oy, nn.functional, 3)
    assert _max_diff(ours, theirs) < 1e-5


@pytest.mark.parametrize(("name", "kwargs", "bn"), [
    ("Adam", {"lr": 1e-2, "amsgrad": True}, False),
    ("SGD", {"lr": 0.1, "momentum": 0.9}, True),
])
def test_our_optimizer_state_resumes_in_torch(tmp_path: pathlib.Path, name: str, kwargs: dict,
                                              bn: bool) -> None:
    ag.manual_seed(0)
    tx, ty, ox, oy = _data()
    ours = nn.Sequential(*_layers(nn, bn))
    oopt = getattr(optim, name)(ours.parameters(), **kwargs)
    _train(ours, oopt, ox, oy, nn.functional, 3)
    ag.save({"model": ours.state_dict(), "optim": oopt.state_dict()}, tmp_path / "ckpt.pt")
    ckpt = torch.load(tmp_path / "ckpt.pt", weights_only=True)
    theirs = torch.nn.Sequential(*_layers(torch.nn, bn))
    theirs.load_state_dict(ckpt["model"])
    topt = getattr(torch.optim, name)(theirs.parameters(), **kwargs)
    topt.load_state_dict(ckpt["optim"])
    _train(theirs, topt, tx, ty, torch.nn.functional, 3)
    _train(ours, oopt, ox, oy, nn.functional, 3)
    assert _max_diff(ours, theirs) < 1e-5


# ------------------------------------------------------------------ values of every kind
def _nested(lib: object) -> dict:
    return {
        "ints": [0, -1, 255, 65536, -(2**31), 2**31, 2**70, -(2**70)],
        "floats": (1.5, -0.0, float("inf"), 1e-300), "none": None, "flags": [True, False],
        "text": "naïve — ✓", "empty": ("", [], {}, ()), "bytes": b"\x00\xffab",
        "set": {1, 2, 3}, "complex": 1 - 2j, "dtype": lib.float16, "device": lib.device("cpu"),
        "size": lib.Size([2, 3]), "nested": {"a": {"b": [{"c": (1, [2, {"d": 3.0}])}]}},
        7: "int key", (1, 2): "tuple key",
        "od": OrderedDict([("z", 1), ("a", 2)]), "counts": Counter("abracadabra"),
    }


def test_nested_values_move_both_ways(tmp_path: pathlib.Path) -> None:
    torch.save(_nested(torch), tmp_path / "t.pt")
    ours = ag.load(tmp_path / "t.pt")
    expected = _nested(ag)
    assert ours == expected
    assert ours["dtype"] is ag.float16 and isinstance(ours["size"], ag.Size)
    assert list(ours["od"]) == ["z", "a"] and type(ours["counts"]) is Counter
    numpy_values = {"f": np.float32(0.5), "i": np.int64(-3), "b": np.bool_(True)}
    ag.save(numpy_values, tmp_path / "n.pt")  # numpy scalars: as the Python values they hold
    assert torch.load(tmp_path / "n.pt", weights_only=True) == {"f": 0.5, "i": -3, "b": True}
    # b"": torch.save writes builtins.bytes, which its own weights-only reader refuses
    ag.save({**expected, "no bytes": b""}, tmp_path / "o.pt")
    assert torch.load(tmp_path / "o.pt", weights_only=True) == {**_nested(torch),
                                                                "no bytes": b""}
    assert ag.load(tmp_path / "o.pt") == {**expected, "no bytes": b""}


def _tensors(lib: object) -> dict:
    base = lib.arange(24, dtype=lib.float32).reshape(4, 6)
    return {
        "f64": lib.tensor([[1.5, -2.0]], dtype=lib.float64),
        "f16": lib.tensor([0.1, 65504.0, -1e-4], dtype=lib.float16),
        **{n: lib.tensor([-3, 0, 7], dtype=getattr(lib, n))
           for n in ("int8", "int16", "int32", "int64")},
        "u8": lib.tensor([0, 255], dtype=lib.uint8), "u16": lib.tensor([1, 65535],
                                                                        dtype=lib.uint16),
        "bool": lib.tensor([True, False, True]), "c64": lib.tensor([1 + 2j], dtype=lib.complex64),
        "scalar": lib.tensor(3.25), "empty": lib.zeros(0, 3),
        "transposed": base.t(), "strided": base[::2, 1::3], "column": base[:, 4],
    }


def test_dtypes_shapes_and_layouts_move_both_ways(tmp_path: pathlib.Path) -> None:
    theirs = _tensors(torch)
    torch.save(theirs, tmp_path / "t.pt")
    ours = ag.load(tmp_path / "t.pt")
    for key, t in theirs.items():
        assert str(ours[key].dtype) == str(t.dtype), key
        assert ours[key].shape == tuple(t.shape), key
        assert ours[key].stride() == t.stride(), key  # views keep their layout
        np.testing.assert_array_equal(_np(ours[key]), _np(t), err_msg=key)
    ag.save(_tensors(ag), tmp_path / "o.pt")
    back = torch.load(tmp_path / "o.pt", weights_only=True)
    for key, t in theirs.items():
        assert back[key].dtype == t.dtype and back[key].stride() == t.stride(), key
        assert torch.equal(back[key], t), key


def test_bfloat16_loads_as_exact_float32(tmp_path: pathlib.Path) -> None:
    values = torch.tensor([1.0, -2.5, 3.0e38, 1e-40, float("inf")], dtype=torch.bfloat16)
    torch.save({"w": values, "v": values[1:3], "dtype": torch.bfloat16}, tmp_path / "b.pt")
    with pytest.warns(UserWarning, match="bfloat16 tensors were loaded as float32"):
        ours = ag.load(tmp_path / "b.pt")
    assert ours["w"].dtype == ag.float32 and ours["dtype"] is ag.float32
    np.testing.assert_array_equal(_np(ours["w"]), values.float().numpy())
    ours["w"][1] = 9.0  # the view still shares the converted storage
    assert float(ours["v"][0]) == 9.0


def test_views_and_shared_storages_stay_shared_both_ways(tmp_path: pathlib.Path) -> None:
    base = torch.arange(12.0).reshape(3, 4)
    torch.save({"base": base, "row": base[1], "t": base.t(), "again": base}, tmp_path / "t.pt")
    ours = ag.load(tmp_path / "t.pt")
    assert ours["again"] is ours["base"]  # one object saved twice is one object loaded
    ours["base"][1, 2] = -1.0  # a write through one is seen through the others
    assert float(ours["row"][2]) == -1.0 and float(ours["t"][2, 1]) == -1.0
    ag.save(ours, tmp_path / "o.pt")
    back = torch.load(tmp_path / "o.pt", weights_only=True)
    ptr = back["base"].untyped_storage().data_ptr()
    assert back["row"].untyped_storage().data_ptr() == ptr
    assert back["row"].storage_offset() == 4 and back["t"].stride() == (1, 4)
    back["row"][0] = 42.0
    assert float(back["base"][1, 0]) == 42.0 and float(back["t"][0, 1]) == 42.0


def test_parameters_and_requires_grad_survive(tmp_path: pathlib.Path) -> None:
    p = torch.nn.Parameter(torch.ones(2, 2))
    frozen = torch.nn.Parameter(torch.zeros(3), requires_grad=False)
    torch.save({"p": p, "frozen": frozen, "leaf": torch.ones(2, requires_grad=True)},
               tmp_path / "t.pt")
    ours = ag.load(tmp_path / "t.pt")
    assert isinstance(ours["p"], nn.Parameter) and ours["p"].requires_grad
    assert isinstance(ours["frozen"], nn.Parameter) and not ours["frozen"].requires_grad
    assert not isinstance(ours["leaf"], nn.Parameter) and ours["leaf"].requires_grad
    ag.save(ours, tmp_path / "o.pt")
    back = torch.load(tmp_path / "o.pt", weights_only=True)
    assert isinstance(back["p"], torch.nn.Parameter) and back["p"].requires_grad
    assert isinstance(back["frozen"], torch.nn.Parameter) and not back["frozen"].requires_grad
    assert type(back["leaf"]) is torch.Tensor and back["leaf"].requires_grad


# ------------------------------------------------------------------ the file itself
def test_our_file_is_byte_for_byte_torch_layout(tmp_path: pathlib.Path) -> None:
    arrays = {f"w{i}": np.random.default_rng(i).standard_normal((i + 1, 3)).astype("f4")
              for i in range(4)}
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    ag.save({**{k: ag.tensor(v) for k, v in arrays.items()}, "empty": ag.zeros(0, 2)},
            tmp_path / "a" / "m.pt")
    torch.save({**{k: torch.tensor(v) for k, v in arrays.items()}, "empty": torch.zeros(0, 2)},
               tmp_path / "b" / "m.pt")
    ours, theirs = (zipfile.ZipFile(tmp_path / d / "m.pt") for d in "ab")
    layout = [[(i.filename, i.header_offset, i.file_size, i.flag_bits, i.extra)
               for i in z.infolist()] for z in (ours, theirs)]
    assert layout[0] == layout[1]
    for info in ours.infolist():
        if info.filename != "m/.data/serialization_id":  # random in both
            assert ours.read(info) == theirs.read(info.filename), info.filename


def test_file_objects_paths_and_map_locations(tmp_path: pathlib.Path) -> None:
    buf = io.BytesIO()
    ag.save({"x": ag.ones(2)}, buf)
    assert zipfile.ZipFile(buf).namelist()[0] == "archive/data.pkl"  # as torch names buffers
    for where in ("cpu", ag.device("cpu"), {"cpu": "cpu"}, lambda storage, loc: storage,
                  lambda storage, loc: None):
        buf.seek(0)
        np.testing.assert_array_equal(_np(ag.load(buf, map_location=where)["x"]), [1, 1])
    buf = io.BytesIO(b"header")  # a checkpoint after other data loads from where f stands
    buf.seek(0, 2)
    ag.save({"y": ag.zeros(1)}, buf)
    buf.seek(6)
    assert float(ag.load(buf)["y"][0]) == 0.0
    ag.save([ag.ones(1)], str(tmp_path / "s.pt"))
    assert float(ag.load(str(tmp_path / "s.pt"))[0]) == 1.0
    seen = []
    ag.load(tmp_path / "s.pt", map_location=lambda s, loc: seen.append((loc, len(s))))
    assert seen == [("cpu", 1)]


def test_save_is_atomic_and_refuses_what_load_would(tmp_path: pathlib.Path) -> None:
    target = tmp_path / "m.pt"
    ag.save({"ok": ag.ones(1)}, target)
    before = target.read_bytes()
    model = nn.Linear(2, 2)
    with pytest.raises(pickle.PicklingError, match=r"Linear.*state_dict\(\)"):
        ag.save({"model": model}, target)
    assert target.read_bytes() == before and sorted(tmp_path.iterdir()) == [target]
    with pytest.raises(RuntimeError) as ours:
        ag.save({}, tmp_path / "missing" / "m.pt")
    with pytest.raises(RuntimeError) as theirs:
        torch.save({}, tmp_path / "missing" / "m.pt")
    assert str(ours.value) == str(theirs.value)


def test_unsupported_modes_say_so(tmp_path: pathlib.Path) -> None:
    ag.save(1, tmp_path / "m.pt")
    with pytest.raises(ValueError, match="weights_only=False is not offered"):
        ag.load(tmp_path / "m.pt", weights_only=False)
    torch.save({"x": torch.ones(1)}, tmp_path / "legacy.pt", _use_new_zipfile_serialization=False)
    with pytest.raises(RuntimeError, match="legacy format is not read"):
        ag.load(tmp_path / "legacy.pt")
    with pytest.raises(RuntimeError) as ours:
        ag.load(tmp_path / "m.pt", pickle_module=pickle)
    with pytest.raises(RuntimeError) as theirs:
        torch.load(tmp_path / "m.pt", pickle_module=pickle, weights_only=True)
    assert str(ours.value) == str(theirs.value)


def _saved_on(tmp_path: pathlib.Path, location: str) -> pathlib.Path:
    """A torch checkpoint whose storages say they were saved on `location` (a GPU)."""
    torch.save({"w": torch.arange(3.0), "b": torch.ones(2)}, tmp_path / "cpu.pt")
    src = zipfile.ZipFile(tmp_path / "cpu.pt")
    out = tmp_path / "gpu.pt"
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("data.pkl"):
                tag = location.encode()
                data = data.replace(b"X\x03\x00\x00\x00cpu", b"X" + bytes([len(tag), 0, 0, 0]) +
                                    tag)
            dst.writestr(info.filename, data)
    return out


@pytest.mark.skipif(ag.cuda.is_available(), reason="checks the CPU-only machine's refusal")
def test_gpu_checkpoints_need_a_map_location_without_a_gpu(tmp_path: pathlib.Path) -> None:
    path = _saved_on(tmp_path, "cuda:1")
    with pytest.raises(RuntimeError) as ours:
        ag.load(path)
    with pytest.raises(RuntimeError) as theirs:
        torch.load(path, weights_only=True)
    assert str(ours.value) == str(theirs.value)
    seen = []

    def to_cpu(storage: object, location: str) -> object:
        seen.append(location)
        return storage.cpu()

    for where in ("cpu", ag.device("cpu"), {"cuda:1": "cpu"}, to_cpu):
        state = ag.load(path, map_location=where)
        np.testing.assert_array_equal(_np(state["w"]), [0, 1, 2])
        assert state["b"].device == ag.device("cpu")
    assert seen == ["cuda:1", "cuda:1"]
    with pytest.raises(RuntimeError, match="is_available"):
        ag.load(path, map_location={"cuda:0": "cpu"})  # the tag is cuda:1: not remapped
    with pytest.raises(TypeError, match="map_location must be"):
        ag.load(path, map_location=3)


def test_big_endian_checkpoints_are_swapped_on_load(tmp_path: pathlib.Path) -> None:
    values = {"f": torch.tensor([1.5, -2.0, 3e38]), "i": torch.tensor([1, -2, 2**40])}
    torch.save(values, tmp_path / "little.pt")
    src = zipfile.ZipFile(tmp_path / "little.pt")
    with zipfile.ZipFile(tmp_path / "big.pt", "w") as dst:  # as a big-endian machine writes
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("byteorder"):
                data = b"big"
            elif "/data/" in info.filename:
                itemsize = 8 if info.filename.endswith("/1") else 4
                data = np.frombuffer(data, f"<u{itemsize}").byteswap().tobytes()
            dst.writestr(info.filename, data)
    ours = ag.load(tmp_path / "big.pt")
    theirs = torch.load(tmp_path / "big.pt", weights_only=True)
    for key, t in values.items():
        assert torch.equal(theirs[key], t)
        np.testing.assert_array_equal(_np(ours[key]), t.numpy())
