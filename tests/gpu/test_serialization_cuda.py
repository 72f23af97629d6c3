"""save/load of CUDA tensors: location tags as PyTorch writes them, map_location onto the GPU.

Runs on the numpy stand-in for CuPy (always) and on a real GPU where there is one.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import numpy as np
import pytest

import autograd_core as ag


def test_cuda_tensors_save_with_their_location_and_load_back_there(cuda: Any) -> None:
    base = ag.arange(12.0, device="cuda").reshape(3, 4)
    buf = io.BytesIO()
    ag.save({"base": base, "row": base[1], "cpu": ag.ones(2)}, buf)
    pkl = zipfile.ZipFile(buf).read("archive/data.pkl")
    assert b"cuda:0" in pkl and b"cpu" in pkl  # each storage tagged with its device
    buf.seek(0)
    back = ag.load(buf)
    assert back["base"].device == ag.device("cuda:0") and back["cpu"].device.type == "cpu"
    np.testing.assert_array_equal(back["row"].cpu().numpy(), [4, 5, 6, 7])
    back["base"][1, 0] = -1.0  # the view still shares the loaded storage
    assert float(back["row"][0].item()) == -1.0
    buf.seek(0)
    on_cpu = ag.load(buf, map_location="cpu")
    assert on_cpu["base"].device.type == "cpu" and on_cpu["row"].tolist() == [4, 5, 6, 7]


@pytest.mark.parametrize("where", ["cuda", "cuda:0", {"cpu": "cuda:0"},
                                   lambda storage, location: storage.cuda(0)])
def test_map_location_moves_cpu_checkpoints_to_the_gpu(cuda: Any, where: Any) -> None:
    buf = io.BytesIO()
    w = ag.arange(6.0).reshape(2, 3)
    ag.save({"w": w, "t": w.t()}, buf)
    buf.seek(0)
    back = ag.load(buf, map_location=where)
    assert back["w"].is_cuda and back["t"].is_cuda
    np.testing.assert_array_equal(back["t"].cpu().numpy(), w.t().numpy())
