"""Word-level language model (PyTorch's examples/word_language_model): Embedding, a 2-layer
nn.LSTM, tied weights, batchify/get_batch, repackaged hidden state, clip_grad_norm_ and a
manual SGD update."""
import argparse

import torch
import torch.nn as nn


class RNNModel(nn.Module):
    def __init__(self, ntoken, ninp, nhid, nlayers, dropout=0.5, tie_weights=False):
        super().__init__()
        self.ntoken = ntoken
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid, nlayers, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)
        if tie_weights:
            self.decoder.weight = self.encoder.weight
        self.init_weights()
        self.nhid = nhid
        self.nlayers = nlayers

    def init_weights(self):
        initrange = 0.1
        nn.init.uniform_(self.encoder.weight, -initrange, initrange)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -initrange, initrange)

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        output = self.drop(output)
        decoded = self.decoder(output).view(-1, self.ntoken)
        return nn.functional.log_softmax(decoded, dim=1), hidden

    def init_hidden(self, bsz):
        weight = next(self.parameters())
        return (weight.new_zeros(self.nlayers, bsz, self.nhid),
                weight.new_zeros(self.nlayers, bsz, self.nhid))


def batchify(data, bsz):
    nbatch = data.size(0) // bsz
    data = data.narrow(0, 0, nbatch * bsz)
    return data.view(bsz, -1).t().contiguous()


def get_batch(source, i, bptt):
    seq_len = min(bptt, len(source) - 1 - i)
    data = source[i:i + seq_len]
    target = source[i + 1:i + 1 + seq_len].view(-1)
    return data, target


def repackage_hidden(h):
    if isinstance(h, torch.Tensor):
        return h.detach()
    return tuple(repackage_hidden(v) for v in h)


parser = argparse.ArgumentParser()
parser.add_argument("--dropout", type=float, default=0.2)
parser.add_argument("--steps", type=int, default=4)
args = parser.parse_args()
torch.manual_seed(1111)
ntokens, bptt, lr, clip = 500, 35, 20.0, 0.25
corpus = torch.tensor([(i * 7919 + (i // 13) * 104729) % ntokens for i in range(20 * 35 * 5)])
train_data = batchify(corpus, 20)
model = RNNModel(ntokens, 64, 64, 2, args.dropout, tie_weights=True)
with torch.no_grad():  # the same weights in any engine (init's draws differ)
    for k, p in enumerate(model.parameters()):
        n = p.numel()
        wave = torch.cos(torch.arange(n, dtype=torch.float64) * (1.3 + 0.1 * k))
        p.copy_(wave.reshape(p.shape).float() * 0.1)
criterion = nn.NLLLoss()
model.train()
hidden = model.init_hidden(20)
for step, i in enumerate(range(0, train_data.size(0) - 1, bptt)):
    if step == args.steps:
        break
    data, targets = get_batch(train_data, i, bptt)
    model.zero_grad()
    hidden = repackage_hidden(hidden)
    output, hidden = model(data, hidden)
    loss = criterion(output, targets)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
    for p in model.parameters():
        p.data.add_(p.grad, alpha=-lr)
    print(f"step {step} loss {loss.item():.12e} ppl {torch.exp(loss).item():.6f}")
