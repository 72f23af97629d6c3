"""DCGAN (PyTorch's examples/dcgan, 32x32): ConvTranspose2d, BatchNorm2d, two Adam optimizers,
the generator's output detached for the discriminator's step."""
import argparse
import math

import torch
import torch.nn as nn
import torch.optim as optim


def pseudo(*shape, seed=0, scale=1.0):
    """Random-looking values that are the same under any engine (seeded draws are not)."""
    t = torch.arange(math.prod(shape), dtype=torch.float64) * 0.7548776662 + seed * 0.56984029
    return (torch.sin(t * 12.9898) * scale).reshape(shape).to(torch.get_default_dtype())


nz, ngf, ndf, nc = 16, 8, 8, 3


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 4, 4, 1, 0, bias=False),
            nn.BatchNorm2d(ngf * 4),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf * 2),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False),
            nn.Tanh(),
        )

    def forward(self, input):
        return self.main(input)


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ndf * 2),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ndf * 4),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 4, 1, 4, 1, 0, bias=False),
            nn.Sigmoid(),
        )

    def forward(self, input):
        return self.main(input).view(-1, 1).squeeze(1)


def weights_init(m):
    classname = m.__class__.__name__
    if classname.find("Conv") != -1:
        torch.nn.init.normal_(m.weight, 0.0, 0.02)
    elif classname.find("BatchNorm") != -1:
        torch.nn.init.normal_(m.weight, 1.0, 0.02)
        torch.nn.init.zeros_(m.bias)


def reinit(model, seed):
    """The same weights in any engine: init's draws differ between engines."""
    with torch.no_grad():
        for k, (name, p) in enumerate(model.named_parameters()):
            base = 1.0 if p.dim() == 1 and name.endswith("weight") else 0.0
            p.copy_(base + pseudo(*p.shape, seed=seed + k, scale=0.05))


parser = argparse.ArgumentParser()
parser.add_argument("--steps", type=int, default=3)
args = parser.parse_args()
torch.manual_seed(999)
netG, netD = Generator(), Discriminator()
netG.apply(weights_init)
netD.apply(weights_init)
reinit(netG, 0)
reinit(netD, 50)
criterion = nn.BCELoss()
fixed_noise = pseudo(8, nz, 1, 1, seed=5)
real_label, fake_label = 1.0, 0.0
optimizerD = optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))
optimizerG = optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))
images = pseudo(4 * 16, nc, 32, 32, seed=11) * 0.9

for i in range(args.steps):
    real = images[16 * (i % 4):16 * (i % 4) + 16]
    b_size = real.size(0)
    # (1) Update D: maximize log(D(x)) + log(1 - D(G(z)))
    netD.zero_grad()
    label = torch.full((b_size,), real_label, dtype=torch.float)
    output = netD(real)
    errD_real = criterion(output, label)
    errD_real.backward()
    D_x = output.mean().item()
    noise = pseudo(b_size, nz, 1, 1, seed=200 + i)
    fake = netG(noise)
    label.fill_(fake_label)
    output = netD(fake.detach())
    errD_fake = criterion(output, label)
    errD_fake.backward()
    errD = errD_real + errD_fake
    optimizerD.step()
    print(f"step {2 * i} loss {errD.item():.12e} D_x {D_x:.12e}")
    # (2) Update G: maximize log(D(G(z)))
    netG.zero_grad()
    label.fill_(real_label)
    output = netD(fake)
    errG = criterion(output, label)
    errG.backward()
    optimizerG.step()
    print(f"step {2 * i + 1} loss {errG.item():.12e}")

with torch.no_grad():
    netG.eval()
    sample = netG(fixed_noise).detach()
print(f"sample mean {sample.mean().item():.12e}")
