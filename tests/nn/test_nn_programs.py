"""Small training programs written once against PyTorch's API and run twice: with `torch` and
with `autograd_core` in its place (the import swapped). Same initial weights; the losses and
the weights after a few optimizer steps must agree in float64."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import autograd_core

torch = pytest.importorskip("torch")
RNG = np.random.default_rng(21)


def generator(lib: Any) -> Any:
    nn = lib.nn
    return nn.Sequential(
        nn.ConvTranspose2d(8, 16, 4, 1, 0, bias=False), nn.BatchNorm2d(16), nn.ReLU(True),
        nn.ConvTranspose2d(16, 8, 4, 2, 1, bias=False), nn.BatchNorm2d(8), nn.PReLU(8),
        nn.Upsample(scale_factor=2, mode="bilinear"), nn.Conv2d(8, 12, 3, padding=1),
        nn.PixelShuffle(2), nn.Tanh())


def generator_step(lib: Any, model: Any, opt: Any, data: dict) -> Any:
    out = model(lib.tensor(data["z"]))
    loss = lib.nn.functional.mse_loss(out, lib.tensor(data["image"]))
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss


class TransformerLM:
    """Embedding, a causal TransformerEncoder and a decoder head, as in PyTorch's word LM."""

    def __new__(cls, lib: Any) -> Any:
        nn = lib.nn

        class Model(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.embed = nn.Embedding(30, 16)
                layer = nn.TransformerEncoderLayer(16, 4, 32, dropout=0.0, batch_first=True,
                                                   activation="gelu")
                self.encoder = nn.TransformerEncoder(layer, 2, nn.LayerNorm(16))
                self.head = nn.Linear(16, 30)

            def forward(self, tokens: Any) -> Any:
                mask = nn.Transformer.generate_square_subsequent_mask(tokens.shape[1],
                                                                      dtype=lib.float64)
                return self.head(self.encoder(self.embed(tokens), mask=mask, is_causal=True))

        return Model()


def lm_step(lib: Any, model: Any, opt: Any, data: dict) -> Any:
    logits = model(lib.tensor(data["tokens"]))
    loss = lib.nn.functional.cross_entropy(logits.reshape(-1, 30),
                                           lib.tensor(data["next"]).reshape(-1))
    opt.zero_grad()
    loss.backward()
    lib.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
    opt.step()
    return loss


class PackedClassifier:
    """A bidirectional LSTM over padded token sequences of different lengths."""

    def __new__(cls, lib: Any) -> Any:
        nn = lib.nn

        class Model(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.embed = nn.Embedding(30, 6, padding_idx=0)
                self.rnn = nn.LSTM(6, 5, num_layers=2, bidirectional=True, batch_first=True)
                self.out = nn.Linear(10, 3)

            def forward(self, tokens: Any, lengths: list) -> Any:
                rnn = nn.utils.rnn
                self.rnn.flatten_parameters()
                packed = rnn.pack_padded_sequence(self.embed(tokens), lengths, batch_first=True,
                                                  enforce_sorted=False)
                out, (h, _) = self.rnn(packed)
                padded, _ = rnn.pad_packed_sequence(out, batch_first=True)
                return self.out(lib.cat([h[-2], h[-1]], 1)) + padded.mean() * 0.1

        return Model()


def classifier_step(lib: Any, model: Any, opt: Any, data: dict) -> Any:
    loss = lib.nn.functional.cross_entropy(model(lib.tensor(data["tokens"]), data["lengths"]),
                                           lib.tensor(data["labels"]))
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss


def seq2seq(lib: Any) -> Any:
    return lib.nn.Transformer(16, 2, 1, 1, 24, dropout=0.0, norm_first=True)


def seq2seq_step(lib: Any, model: Any, opt: Any, data: dict) -> Any:
    tgt_mask = model.generate_square_subsequent_mask(5, dtype=lib.float64)
    out = model(lib.tensor(data["src"]), lib.tensor(data["tgt"]), tgt_mask=tgt_mask,
                src_key_padding_mask=lib.tensor(data["pad"]))
    loss = (out ** 2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss


LENGTHS = [7, 3, 5, 1]
TOKENS = RNG.integers(1, 30, (4, 7))
for _row, _n in enumerate(LENGTHS):
    TOKENS[_row, _n:] = 0
PAD = np.zeros((3, 6), bool)
PAD[0, 4:] = True

PROGRAMS = {
    "dcgan_generator": (generator, generator_step, lambda lib, p: lib.optim.Adam(p, 1e-2),
                        {"z": RNG.standard_normal((4, 8, 1, 1)),
                         "image": RNG.uniform(-1, 1, (4, 3, 32, 32))}),
    "transformer_lm": (TransformerLM, lm_step, lambda lib, p: lib.optim.AdamW(p, 1e-2),
                       {"tokens": RNG.integers(0, 30, (3, 9)),
                        "next": RNG.integers(0, 30, (3, 9))}),
    "packed_lstm": (PackedClassifier, classifier_step,
                    lambda lib, p: lib.optim.SGD(p, 0.5, momentum=0.9),
                    {"tokens": TOKENS, "lengths": LENGTHS, "labels": np.array([0, 2, 1, 2])}),
    "seq2seq_transformer": (seq2seq, seq2seq_step, lambda lib, p: lib.optim.Adam(p, 1e-2),
                            {"src": RNG.standard_normal((6, 3, 16)),
                             "tgt": RNG.standard_normal((5, 3, 16)), "pad": PAD}),
}


@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")
@pytest.mark.parametrize("name", list(PROGRAMS))
def test_program_runs_the_same_with_the_import_swapped(name) -> None:
    build, step, make_opt, data = PROGRAMS[name]
    torch.manual_seed(0)
    theirs = build(torch).double()
    ours = build(autograd_core).double()
    ours.load_state_dict({k: autograd_core.tensor(v.detach().numpy().copy())
                          for k, v in theirs.state_dict().items()})
    opt_t, opt_a = make_opt(torch, theirs.parameters()), make_opt(autograd_core, ours.parameters())
    for _ in range(3):
        loss_t = step(torch, theirs, opt_t, data)
        loss_a = step(autograd_core, ours, opt_a, data)
        assert loss_a.item() == pytest.approx(loss_t.item(), rel=1e-9, abs=1e-12)
    # Adam divides by sqrt(v), which magnifies rounding differences in near-zero gradients:
    # weights are compared to 1e-8 absolute (their scale is 1e-2..1).
    for (n, p), pt in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.detach().numpy(), pt.detach().numpy(), rtol=1e-7,
                                   atol=1e-8, err_msg=n)
