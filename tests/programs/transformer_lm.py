"""Transformer language model (PyTorch's word_language_model, --model Transformer) with the
device and reproducibility preamble scripts carry: accelerator, cudnn flags, cuda seeds; a
padded batch through pack_padded_sequence into a GRU head; interpolate on the way."""
import argparse
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence


class PositionalEncoding(nn.Module):
    def __init__(self, d_model, dropout=0.1, max_len=64):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)
        pe = torch.zeros(max_len, d_model)
        position = torch.arange(0, max_len, dtype=torch.float).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2).float() * (-math.log(10000.0) / d_model))
        pe[:, 0::2] = torch.sin(position * div_term)
        pe[:, 1::2] = torch.cos(position * div_term)
        self.register_buffer("pe", pe.unsqueeze(0).transpose(0, 1))

    def forward(self, x):
        return self.dropout(x + self.pe[:x.size(0), :])


class TransformerModel(nn.Transformer):
    def __init__(self, ntoken, ninp, nhead, nhid, nlayers, dropout=0.5):
        super().__init__(d_model=ninp, nhead=nhead, dim_feedforward=nhid,
                         num_encoder_layers=nlayers, dropout=dropout)
        self.src_mask = None
        self.pos_encoder = PositionalEncoding(ninp, dropout)
        self.input_emb = nn.Embedding(ntoken, ninp)
        self.ninp = ninp
        self.decoder = nn.Linear(ninp, ntoken)

    def forward(self, src, has_mask=True):
        if has_mask:
            if self.src_mask is None or self.src_mask.size(0) != len(src):
                self.src_mask = nn.Transformer.generate_square_subsequent_mask(len(src))
        else:
            self.src_mask = None
        src = self.input_emb(src) * math.sqrt(self.ninp)
        src = self.pos_encoder(src)
        output = self.encoder(src, mask=self.src_mask)
        return F.log_softmax(self.decoder(output), dim=-1)


class LengthHead(nn.Module):
    """Reads padded sequences of embeddings through a packed GRU (variable lengths)."""

    def __init__(self, ninp):
        super().__init__()
        self.gru = nn.GRU(ninp, ninp, batch_first=True)
        self.out = nn.Linear(ninp, 1)

    def forward(self, seqs):
        lengths = torch.tensor([len(s) for s in seqs])
        padded = pad_sequence(seqs, batch_first=True)
        packed = pack_padded_sequence(padded, lengths, batch_first=True, enforce_sorted=False)
        output, h = self.gru(packed)
        unpacked, _ = pad_packed_sequence(output, batch_first=True)
        smooth = F.interpolate(unpacked.transpose(1, 2), scale_factor=2, mode="linear")
        return self.out(h[-1]).squeeze(1) + smooth.mean(dim=(1, 2))


parser = argparse.ArgumentParser()
parser.add_argument("--dropout", type=float, default=0.2)
parser.add_argument("--steps", type=int, default=4)
args = parser.parse_args()
torch.manual_seed(1111)
torch.cuda.manual_seed_all(1111)
torch.backends.cudnn.deterministic = True
torch.backends.cudnn.benchmark = False
device = torch.accelerator.current_accelerator() if torch.accelerator.is_available() else "cpu"
torch.set_default_dtype(torch.float64)
ntokens, bptt = 200, 16
corpus = torch.tensor([(i * 7919 + (i // 7) * 104729) % ntokens for i in range(8 * bptt * 5)])
data = corpus.view(8, -1).t().contiguous().to(device)
model = TransformerModel(ntokens, 32, 4, 64, 2, args.dropout).to(device)
head = LengthHead(32).to(device)
with torch.no_grad():  # the same weights in any engine (init's draws differ)
    for k, p in enumerate(list(model.parameters()) + list(head.parameters())):
        base = 1.0 if p.dim() == 1 and k % 3 == 0 else 0.0
        scale = 1.0 / math.sqrt(p.shape[-1])
        p.copy_(base + scale * torch.sin(torch.arange(p.numel()) * (0.77 + 0.05 * k))
                .reshape(p.shape))
params = list(model.parameters()) + list(head.parameters())
optimizer = torch.optim.Adam(params, lr=1e-3)
criterion = nn.NLLLoss()
model.train()
for step, i in enumerate(range(0, data.size(0) - 1, bptt)):
    if step == args.steps:
        break
    seq_len = min(bptt, len(data) - 1 - i)
    source, targets = data[i:i + seq_len], data[i + 1:i + 1 + seq_len].reshape(-1)
    output = model(source)
    loss = criterion(output.view(-1, ntokens), targets)
    emb = model.input_emb(source.t())
    seqs = [emb[b, :seq_len - b % 5] for b in range(emb.size(0))]
    loss = loss + 0.1 * head(seqs).pow(2).mean()
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, 0.5)
    optimizer.step()
    print(f"step {step} loss {loss.item():.12e}")
