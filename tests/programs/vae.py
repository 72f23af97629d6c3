"""Variational autoencoder (PyTorch's examples/vae): reparameterisation, BCE + KL, Adam."""
import argparse
import math

import torch
from torch import nn, optim
from torch.nn import functional as F


def pseudo(*shape, seed=0, scale=1.0):
    """Random-looking values that are the same under any engine (seeded draws are not)."""
    t = torch.arange(math.prod(shape), dtype=torch.float64) * 0.7548776662 + seed * 0.56984029
    return (torch.sin(t * 12.9898) * scale).reshape(shape).to(torch.get_default_dtype())


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 200)
        self.fc21 = nn.Linear(200, 20)
        self.fc22 = nn.Linear(200, 20)
        self.fc3 = nn.Linear(20, 200)
        self.fc4 = nn.Linear(200, 784)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar, eps=None):
        std = torch.exp(0.5 * logvar)
        if eps is None:
            eps = torch.randn_like(std)
        return mu + eps * std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x, eps=None):
        mu, logvar = self.encode(x.view(-1, 784))
        z = self.reparameterize(mu, logvar, eps)
        return self.decode(z), mu, logvar


def loss_function(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld


parser = argparse.ArgumentParser()
parser.add_argument("--fixed-noise", action="store_true")
parser.add_argument("--steps", type=int, default=4)
args = parser.parse_args()
torch.set_default_dtype(torch.float64)
torch.manual_seed(1)

data = (pseudo(128, 1, 28, 28, seed=3) + 1) / 2
model = VAE()
with torch.no_grad():
    for k, p in enumerate(model.parameters()):
        fan_in = p.shape[-1] if p.dim() > 1 else p.numel()
        p.copy_(pseudo(*p.shape, seed=k, scale=1 / math.sqrt(fan_in)))
optimizer = optim.Adam(model.parameters(), lr=1e-3)
model.train()
for step in range(args.steps):
    x = data[32 * (step % 4):32 * (step % 4) + 32]
    eps = pseudo(32, 20, seed=100 + step) if args.fixed_noise else None
    optimizer.zero_grad()
    recon, mu, logvar = model(x, eps)
    loss = loss_function(recon, x, mu, logvar)
    loss.backward()
    optimizer.step()
    print(f"step {step} loss {loss.item() / len(x):.12e}")
model.eval()
with torch.no_grad():
    sample = model.decode(pseudo(8, 20, seed=9))
print(f"sample mean {sample.mean().item():.12e}")
