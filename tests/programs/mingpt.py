"""A minGPT-style model (karpathy/minGPT): causal masked self-attention, GELU, LayerNorm,
AdamW with weight-decay groups, a DataLoader with a sampler, batch_sampler and collate_fn."""
import argparse
import math

import torch
import torch.nn as nn
from torch.nn import functional as F
from torch.utils.data import BatchSampler, DataLoader, Dataset, RandomSampler, Sampler


class CausalSelfAttention(nn.Module):
    def __init__(self, n_embd, n_head, block_size):
        super().__init__()
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)
        self.c_proj = nn.Linear(n_embd, n_embd)
        self.register_buffer("bias", torch.tril(torch.ones(block_size, block_size))
                             .view(1, 1, block_size, block_size))
        self.n_head, self.n_embd = n_head, n_embd

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
        att = F.softmax(att, dim=-1)
        y = att @ v
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.c_proj(y)


class Block(nn.Module):
    def __init__(self, n_embd, n_head, block_size):
        super().__init__()
        self.ln_1 = nn.LayerNorm(n_embd)
        self.attn = CausalSelfAttention(n_embd, n_head, block_size)
        self.ln_2 = nn.LayerNorm(n_embd)
        self.mlp = nn.ModuleDict(dict(c_fc=nn.Linear(n_embd, 4 * n_embd), act=nn.GELU(),
                                      c_proj=nn.Linear(4 * n_embd, n_embd)))
        m = self.mlp
        self.mlpf = lambda x: m.c_proj(m.act(m.c_fc(x)))

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlpf(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, vocab_size, block_size, n_layer=2, n_embd=32, n_head=4):
        super().__init__()
        self.block_size = block_size
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(vocab_size, n_embd), wpe=nn.Embedding(block_size, n_embd),
            h=nn.ModuleList([Block(n_embd, n_head, block_size) for _ in range(n_layer)]),
            ln_f=nn.LayerNorm(n_embd)))
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)

    def forward(self, idx, targets=None):
        b, t = idx.size()
        pos = torch.arange(0, t, dtype=torch.long).unsqueeze(0)
        x = self.transformer.wte(idx) + self.transformer.wpe(pos)
        for block in self.transformer.h:
            x = block(x)
        logits = self.lm_head(self.transformer.ln_f(x))
        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1),
                                   ignore_index=-1)
        return logits, loss

    def configure_optimizers(self, weight_decay, learning_rate, betas):
        decay, no_decay = set(), set()
        for mn, m in self.named_modules():
            for pn, p in m.named_parameters():
                fpn = f"{mn}.{pn}" if mn else pn
                if pn.endswith("bias"):
                    no_decay.add(fpn)
                elif pn.endswith("weight") and isinstance(m, torch.nn.Linear):
                    decay.add(fpn)
                elif pn.endswith("weight") and isinstance(m, (nn.LayerNorm, nn.Embedding)):
                    no_decay.add(fpn)
        param_dict = dict(self.named_parameters())
        assert len(decay & no_decay) == 0
        assert len(param_dict.keys() - (decay | no_decay)) == 0
        groups = [
            {"params": [param_dict[pn] for pn in sorted(decay)], "weight_decay": weight_decay},
            {"params": [param_dict[pn] for pn in sorted(no_decay)], "weight_decay": 0.0},
        ]
        return torch.optim.AdamW(groups, lr=learning_rate, betas=betas)


class AdditionDataset(Dataset):
    """minGPT's adder: a+b=c as digit tokens, -1 where the loss ignores the prompt."""

    def __init__(self, ndigit=2):
        self.ndigit = ndigit
        self.pairs = [(a, b) for a in range(0, 100, 7) for b in range(0, 100, 11)]

    def __len__(self):
        return len(self.pairs)

    def __getitem__(self, idx):
        a, b = self.pairs[idx]
        render = f"{a:02d}{b:02d}{a + b:03d}"[::1]
        dix = [int(s) for s in render]
        x = torch.tensor(dix[:-1], dtype=torch.long)
        y = torch.tensor(dix[1:], dtype=torch.long)
        y[:self.ndigit * 2 - 1] = -1
        return x, y


class StridedSampler(Sampler):
    """A fixed 'shuffled' order, the same under any engine."""

    def __init__(self, data_source):
        self.n = len(data_source)

    def __iter__(self):
        return iter([(i * 37) % self.n for i in range(self.n)])

    def __len__(self):
        return self.n


def collate(batch):
    xs, ys = zip(*batch)
    return torch.stack(xs), torch.stack(ys)


parser = argparse.ArgumentParser()
parser.add_argument("--sampler", choices=["random", "strided"], default="random")
parser.add_argument("--steps", type=int, default=4)
args = parser.parse_args()
torch.manual_seed(3407)
train_dataset = AdditionDataset()
model = GPT(vocab_size=10, block_size=6)
with torch.no_grad():  # the same weights in any engine (init's draws differ)
    for k, (name, p) in enumerate(model.named_parameters()):
        base = 1.0 if name.endswith("ln_1.weight") or name.endswith("ln_2.weight") else 0.0
        wave = torch.sin(torch.arange(p.numel(), dtype=torch.float64) * (0.9 + 0.37 * k))
        p.copy_(base + 0.05 * wave.reshape(p.shape).float())
optimizer = model.configure_optimizers(0.1, 5e-4, (0.9, 0.95))
sampler = (RandomSampler(train_dataset, replacement=True, num_samples=int(1e10))
           if args.sampler == "random" else StridedSampler(train_dataset))
loader = DataLoader(train_dataset, batch_sampler=BatchSampler(sampler, 16, drop_last=True),
                    collate_fn=collate)
model.train()
for step, (x, y) in enumerate(loader):
    if step == args.steps:
        break
    logits, loss = model(x, y)
    model.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    print(f"step {step} loss {loss.item():.12e}")
