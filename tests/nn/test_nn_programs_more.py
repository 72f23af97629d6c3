"""Training programs written once against PyTorch's API with the layers beyond the first set
(3-D convolutions, group/instance/RMS norms, padding, grid sampling, weight and spectral norm,
checkpointing, CTC, EmbeddingBag, the margin losses, a ConcatDataset loader), run with
`torch` and with `autograd_core` in its place: the same losses and weights, float64."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import autograd_core

torch = pytest.importorskip("torch")
RNG = np.random.default_rng(33)


class Volumetric:
    """A small 3-D encoder-decoder."""

    def __new__(cls, lib: Any) -> Any:
        nn = lib.nn
        return nn.Sequential(
            nn.ReplicationPad3d(1), nn.Conv3d(2, 4, 3), nn.GroupNorm(2, 4), nn.Mish(),
            nn.MaxPool3d(2), nn.Conv3d(4, 6, 1), nn.InstanceNorm3d(6, affine=True),
            nn.Hardswish(), nn.ConvTranspose3d(6, 2, 2, stride=2), nn.CELU(0.5))


def volumetric_step(lib: Any, model: Any, opt: Any, data: dict) -> Any:
    out = model(lib.tensor(data["x"]))
    loss = lib.nn.functional.smooth_l1_loss(out, lib.tensor(data["y"]), beta=0.5)
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss


class SpatialTransformer:
    """A localisation net predicts an affine map; the image is resampled and classified."""

    def __new__(cls, lib: Any) -> Any:
        nn = lib.nn
        utils = nn.utils

        class Model(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.loc = nn.Sequential(
                    utils.parametrizations.weight_norm(nn.Conv2d(1, 4, 3)),
                    nn.LocalResponseNorm(3), nn.SELU(), nn.AdaptiveAvgPool2d(1),
                    nn.Flatten(), nn.Linear(4, 6))
                self.unfold = nn.Unfold(3, padding=1, stride=2)
                self.norm = nn.RMSNorm(9)
                self.head = utils.spectral_norm(nn.Linear(9 * 16, 8))
                self.glu = nn.GLU()

            def forward(self, x: Any) -> Any:
                theta = self.loc(x).reshape(-1, 2, 3) * 0.1 + lib.tensor(
                    [[1.0, 0, 0], [0, 1.0, 0]], dtype=lib.float64)
                grid = nn.functional.affine_grid(theta, list(x.shape), align_corners=False)
                warped = nn.functional.grid_sample(x, grid, padding_mode="border",
                                                   align_corners=False)
                cols = self.unfold(warped).transpose(1, 2)  # (N, L, 9)
                cols = lib.utils.checkpoint.checkpoint(self.norm, cols, use_reentrant=False)
                return self.glu(self.head(cols.flatten(1)))

        return Model()


def spatial_step(lib: Any, model: Any, opt: Any, data: dict) -> Any:
    out = model(lib.tensor(data["x"]))
    F = lib.nn.functional
    loss = F.multi_margin_loss(out, lib.tensor(data["labels"])) + F.cosine_embedding_loss(
        out, out.flip(0), lib.tensor(data["signs"]), margin=0.1)
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss


class CTCRecognizer:
    """Conv1d features, a GRU, per-frame log-probabilities, CTC."""

    def __new__(cls, lib: Any) -> Any:
        nn = lib.nn

        class Model(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.conv = nn.Sequential(nn.ConstantPad1d((1, 1), 0.0), nn.Conv1d(3, 8, 3),
                                          nn.BatchNorm1d(8), nn.Softplus(beta=2.0))
                self.bag = nn.EmbeddingBag(10, 8, mode="max")
                self.rnn = nn.GRU(8, 8)
                self.out = nn.Bilinear(8, 8, 5)

            def forward(self, x: Any, words: Any, offsets: Any) -> Any:
                feats = self.conv(x).permute(2, 0, 1)  # (T, N, 8)
                ctx = self.bag(words, offsets)  # (N, 8)
                h, _ = self.rnn(feats)
                logits = self.out(h, ctx.unsqueeze(0).expand(h.shape[0], -1, -1).contiguous())
                return logits.log_softmax(-1)

        return Model()


def ctc_step(lib: Any, model: Any, opt: Any, data: dict) -> Any:
    lp = model(lib.tensor(data["x"]), lib.tensor(data["words"]), lib.tensor(data["offsets"]))
    loss = lib.nn.CTCLoss(blank=0)(lp, lib.tensor(data["targets"]), [9, 7, 8], [3, 2, 3])
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss


PROGRAMS = {
    "volumetric": (Volumetric, volumetric_step, lambda lib, p: lib.optim.Adam(p, 1e-2),
                   {"x": RNG.standard_normal((2, 2, 4, 4, 4)),
                    "y": RNG.standard_normal((2, 2, 4, 4, 4))}),
    "spatial_transformer": (SpatialTransformer, spatial_step,
                            lambda lib, p: lib.optim.SGD(p, 0.05, momentum=0.9),
                            {"x": RNG.standard_normal((4, 1, 8, 8)),
                             "labels": np.array([0, 3, 1, 2]),
                             "signs": np.array([1.0, -1.0, -1.0, 1.0])}),
    "ctc_recognizer": (CTCRecognizer, ctc_step, lambda lib, p: lib.optim.AdamW(p, 1e-2),
                       {"x": RNG.standard_normal((3, 3, 9)),
                        "words": np.array([1, 4, 2, 7, 7, 3]), "offsets": np.array([0, 2, 5]),
                        "targets": np.array([[1, 2, 2], [3, 4, 0], [4, 1, 3]])}),
}


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_program_runs_the_same_with_the_import_swapped(name) -> None:
    build, step, make_opt, data = PROGRAMS[name]
    torch.manual_seed(0)
    theirs = build(torch).double()
    ours = build(autograd_core).double()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: autograd_core.tensor(v.detach().numpy().copy())
                          for k, v in theirs.state_dict().items()})
    opt_t, opt_a = make_opt(torch, theirs.parameters()), make_opt(autograd_core, ours.parameters())
    for _ in range(3):
        loss_t = step(torch, theirs, opt_t, data)
        loss_a = step(autograd_core, ours, opt_a, data)
        assert loss_a.item() == pytest.approx(loss_t.item(), rel=1e-8, abs=1e-12)
    for (n, p), pt in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.detach().numpy(), pt.detach().numpy(), rtol=1e-6,
                                   atol=1e-8, err_msg=n)


def test_concat_dataset_loader_feeds_the_same_batches() -> None:
    def batches(lib: Any) -> list:
        data = lib.utils.data
        a = data.TensorDataset(lib.arange(6), lib.arange(6) * 2)
        b = data.TensorDataset(lib.arange(10, 13), lib.arange(10, 13) * 2)
        stacked = data.StackDataset(data.ConcatDataset([a, b]), data.Subset(a + b, range(9)))
        loader = data.DataLoader(stacked, batch_size=4, drop_last=False)
        return [[[t.tolist() for t in part] for part in batch] for batch in loader]

    assert batches(autograd_core) == batches(torch)
