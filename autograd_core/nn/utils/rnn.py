"""Variable-length sequences for the recurrent layers, as torch.nn.utils.rnn.

A PackedSequence holds the time steps of a batch of sequences, longest first, one after the
other: `data` (sum of lengths, *) and `batch_sizes` (how many sequences are still running at
each step). Packing and unpacking are one gather each, so gradients flow back to the padded
input. nn.RNN, nn.LSTM and nn.GRU take a PackedSequence and return one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from autograd_core import creation
from autograd_core.ops.join import cat, stack
from autograd_core.tensor import Tensor

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence", "pack_sequence",
           "pad_packed_sequence", "pad_sequence", "unpack_sequence", "unpad_sequence"]


class PackedSequence_(NamedTuple):  # noqa: N801 - PyTorch's name
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The permutation that undoes `permutation` (None stays None)."""
    if permutation is None:
        return None
    p = _ints(permutation)
    inv = np.empty_like(p)
    inv[p] = np.arange(p.size, dtype=np.int64)
    return creation.tensor(inv, device=permutation.device)


class PackedSequence(PackedSequence_):
    """(data, batch_sizes, sorted_indices, unsorted_indices), built by pack_padded_sequence.

    sorted_indices maps the packed order (longest first) to the caller's batch order;
    unsorted_indices is its inverse. Both are None when the batch came sorted.
    """

    def __new__(cls, data: Tensor, batch_sizes: Tensor | None = None,
                sorted_indices: Tensor | None = None,
                unsorted_indices: Tensor | None = None) -> PackedSequence:
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:
            raise TypeError("PackedSequence: batch_sizes is required (build one with "
                            "pack_padded_sequence or pack_sequence)")
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """Moves or casts `data`; the indices follow to its device (batch_sizes stay on CPU)."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        sorted_, unsorted = (None if t is None else t.to(device=data.device)
                             for t in (self.sorted_indices, self.unsorted_indices))
        return type(self)(data, self.batch_sizes, sorted_, unsorted)

    def cpu(self) -> PackedSequence:
        return self.to("cpu")

    def cuda(self, *args: Any, **kwargs: Any) -> PackedSequence:
        return self.to("cuda")

    def double(self) -> PackedSequence:
        return self.to(dtype=_dtype("float64"))

    def float(self) -> PackedSequence:
        return self.to(dtype=_dtype("float32"))

    @property
    def is_cuda(self) -> bool:
        return bool(self.data.is_cuda)

    def is_pinned(self) -> bool:
        return False


def _dtype(name: str) -> Any:
    from autograd_core import dtypes
    return getattr(dtypes, name)


def _ints(values: Any) -> np.ndarray:
    if isinstance(values, Tensor):
        return np.asarray(values.detach().cpu().numpy()).astype(np.int64)
    return np.asarray(values).astype(np.int64)


def _lengths(lengths: Any) -> np.ndarray:
    arr = _ints(lengths)
    if arr.ndim != 1:
        raise RuntimeError("'lengths' argument should be a 1D CPU int64 tensor, but got "
                           f"{arr.ndim}D cpu Long tensor")
    return arr


def _check_packable(lengths: np.ndarray, batch: int, steps: int, numel: int,
                    enforce_sorted: bool) -> None:
    """PyTorch's checks, in its order; a length past the input's end is refused too."""
    if numel == 0:
        raise RuntimeError("Cannot pack empty tensors.")
    if lengths.size != batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                           f"{lengths.size} (batch_size={batch})")
    if (lengths <= 0).any() if not enforce_sorted else lengths[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an "
                           "element in 'lengths' that is <= 0")
    if enforce_sorted and (np.diff(lengths) > 0).any():
        raise RuntimeError(
            "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
            "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence "
            "to sidestep this requirement if you do not need ONNX exportability.")
    if lengths.max() > steps:  # PyTorch would read past the end of the input here
        raise RuntimeError(f"pack_padded_sequence: a length ({int(lengths.max())}) is longer "
                           f"than the input's sequence dimension ({steps})")


def pack_padded_sequence(input: Tensor, lengths: Any, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch (T, B, *) (or (B, T, *)) of sequences with the given lengths.

    Args:
        lengths: one length per sequence (list or int64 tensor); decreasing unless
            enforce_sorted=False, in which case the batch is sorted here and unsorted again
            by pad_packed_sequence and the RNN's h_n.
    Returns:
        PackedSequence; its data has a gradient path back to `input`.

    Example:
        >>> packed = pack_padded_sequence(x, [5, 3, 2], batch_first=True)
        >>> out, h_n = nn.GRU(8, 16, batch_first=True)(packed)
    """
    lens = _lengths(lengths)
    batch, steps = input.shape[:2] if batch_first else (input.shape[1], input.shape[0])
    _check_packable(lens, batch, steps, input.numel(), enforce_sorted)
    order = np.arange(batch) if enforce_sorted else np.argsort(-lens, kind="stable")
    lens = lens[order]
    running = lens[None, :] > np.arange(lens[0])[:, None]  # (T, B) in packed order
    t, j = np.nonzero(running)  # time-major, longest sequence first within a step
    b = order[j]
    flat = b * steps + t if batch_first else t * batch + b
    index = creation.tensor(flat, device=input.device)
    data = input.reshape(batch * steps, *input.shape[2:])[index]
    batch_sizes = creation.tensor(running.sum(axis=1).astype(np.int64))
    if enforce_sorted:
        return PackedSequence(data, batch_sizes, None, None)
    return PackedSequence(data, batch_sizes,
                          creation.tensor(order.astype(np.int64), device=input.device))


def _packed_lengths(batch_sizes: np.ndarray) -> np.ndarray:
    """Each sequence's length, in packed (longest first) order."""
    return (batch_sizes[:, None] > np.arange(batch_sizes[0])[None, :]).sum(axis=0)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple[Tensor, Tensor]:
    """The inverse of pack_padded_sequence: (padded, lengths) in the caller's batch order.

    Args:
        total_length: pad to this many steps instead of the longest sequence's length.
    Returns:
        padded (T, B, *) or (B, T, *), and the lengths as an int64 tensor.
    """
    sizes = _ints(sequence.batch_sizes)
    lens = _packed_lengths(sizes)
    steps = int(sizes.size)
    if total_length is not None:
        if total_length < steps:
            raise ValueError("Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max "
                             f"sequence length being {steps}")
        steps = int(total_length)
    batch = int(sizes[0])
    unsorted = (np.arange(batch) if sequence.unsorted_indices is None
                else _ints(sequence.unsorted_indices))
    data = sequence.data
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    pad_row = data.shape[0]  # the extra row of padding_value appended below
    t = np.arange(steps)[:, None]
    j = unsorted[None, :]  # packed position of each caller's batch entry
    inside = t < lens[j]
    src = np.where(inside, offsets[np.minimum(t, sizes.size - 1)] + j, pad_row)  # (T, B)
    if batch_first:
        src = src.T
    fill = creation.full((1, *data.shape[1:]), padding_value, dtype=data.dtype,
                         device=data.device)
    padded = cat([data, fill], 0)[creation.tensor(src.reshape(-1), device=data.device)]
    padded = padded.reshape(*src.shape, *data.shape[1:])
    return padded, creation.tensor(lens[unsorted].astype(np.int64))


def pad_sequence(sequences: Any, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Stack sequences of lengths L_i (each (L_i, *)) into (max L, B, *), padded.

    Example:
        >>> pad_sequence([ag.ones(3, 2), ag.ones(1, 2)], batch_first=True).shape
        torch.Size([2, 3, 2])
    """
    if padding_side not in ("left", "right"):
        raise RuntimeError("Expected padding_side to be one of left or right, but got "
                           f"{padding_side}.")
    seqs = list(sequences)
    if not seqs:
        raise RuntimeError("received an empty list of sequences")
    trailing = tuple(seqs[0].shape[1:])
    longest = max(s.shape[0] for s in seqs)
    padded = []
    for s in seqs:
        for k, (a, b) in enumerate(zip(trailing, s.shape[1:])):
            if a != b and b != 1:  # a size-1 dim broadcasts, as PyTorch's copy does
                raise RuntimeError(f"The size of tensor a ({a}) must match the size of tensor "
                                   f"b ({b}) at non-singleton dimension {k + 1}")
        if tuple(s.shape[1:]) != trailing:
            s = s.expand(s.shape[0], *trailing)
        missing = longest - s.shape[0]
        if missing:
            fill = creation.full((missing, *trailing), padding_value, dtype=s.dtype,
                                 device=s.device)
            s = cat([s, fill] if padding_side == "right" else [fill, s], 0)
        padded.append(s)
    return stack(padded, 0 if batch_first else 1)


def pack_sequence(sequences: Sequence[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences (each (L_i, *)); decreasing lengths unless enforce_sorted=False.
    """
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences: Tensor, lengths: Any,
                   batch_first: bool = False) -> list[Tensor]:
    """The inverse of pad_sequence: a list of (L_i, *) tensors."""
    x = padded_sequences if batch_first else padded_sequences.transpose(0, 1)
    return [x[i, :int(n)] for i, n in enumerate(_ints(lengths))]


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The inverse of pack_sequence: a list of (L_i, *) tensors in the caller's order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
