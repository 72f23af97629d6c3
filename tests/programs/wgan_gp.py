"""WGAN-GP (Gulrajani et al., as in the popular PyTorch-GAN collection): a critic trained
with a gradient penalty through autograd.grad(create_graph=True), RMS-free Adam, n_critic."""
import argparse
import math

import torch
import torch.autograd as autograd
import torch.nn as nn


def pseudo(*shape, seed=0, scale=1.0):
    """Random-looking values that are the same under any engine (seeded draws are not)."""
    t = torch.arange(math.prod(shape), dtype=torch.float64) * 0.7548776662 + seed * 0.56984029
    return (torch.sin(t * 12.9898) * scale).reshape(shape).to(torch.get_default_dtype())


latent_dim, img_shape = 8, (1, 8, 8)


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.model = nn.Sequential(nn.Linear(latent_dim, 64), nn.LeakyReLU(0.2, inplace=True),
                                   nn.Linear(64, 64), nn.LeakyReLU(0.2, inplace=True),
                                   nn.Linear(64, math.prod(img_shape)), nn.Tanh())

    def forward(self, z):
        return self.model(z).view(z.shape[0], *img_shape)


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.model = nn.Sequential(nn.Linear(math.prod(img_shape), 64),
                                   nn.LeakyReLU(0.2, inplace=True), nn.Linear(64, 32),
                                   nn.LeakyReLU(0.2, inplace=True), nn.Linear(32, 1))

    def forward(self, img):
        return self.model(img.view(img.shape[0], -1))


def compute_gradient_penalty(D, real_samples, fake_samples, alpha):
    interpolates = (alpha * real_samples + ((1 - alpha) * fake_samples)).requires_grad_(True)
    d_interpolates = D(interpolates)
    fake = torch.ones(real_samples.shape[0], 1)
    gradients = autograd.grad(outputs=d_interpolates, inputs=interpolates, grad_outputs=fake,
                              create_graph=True, retain_graph=True, only_inputs=True)[0]
    gradients = gradients.view(gradients.size(0), -1)
    return ((gradients.norm(2, dim=1) - 1) ** 2).mean()


parser = argparse.ArgumentParser()
parser.add_argument("--fixed-noise", action="store_true")
parser.add_argument("--steps", type=int, default=6)
args = parser.parse_args()
torch.set_default_dtype(torch.float64)
generator, discriminator = Generator(), Discriminator()
with torch.no_grad():  # the same weights in any engine (init's draws differ)
    for k, p in enumerate(list(generator.parameters()) + list(discriminator.parameters())):
        p.copy_(pseudo(*p.shape, seed=k, scale=0.3))
optimizer_G = torch.optim.Adam(generator.parameters(), lr=1e-3, betas=(0.0, 0.9))
optimizer_D = torch.optim.Adam(discriminator.parameters(), lr=1e-3, betas=(0.0, 0.9))
lambda_gp, n_critic = 10, 3
images = pseudo(64, *img_shape, seed=40)
step = 0
for i in range(args.steps):
    real_imgs = images[16 * (i % 4):16 * (i % 4) + 16]
    optimizer_D.zero_grad()
    if args.fixed_noise:
        z, alpha = pseudo(16, latent_dim, seed=300 + i), (pseudo(16, 1, 1, 1, seed=i) + 1) / 2
    else:
        z, alpha = torch.randn(16, latent_dim), torch.rand(16, 1, 1, 1)
    fake_imgs = generator(z)
    real_validity = discriminator(real_imgs)
    fake_validity = discriminator(fake_imgs)
    gradient_penalty = compute_gradient_penalty(discriminator, real_imgs.data, fake_imgs.data,
                                                alpha)
    d_loss = -torch.mean(real_validity) + torch.mean(fake_validity) + lambda_gp * gradient_penalty
    d_loss.backward()
    optimizer_D.step()
    print(f"step {step} loss {d_loss.item():.12e} gp {gradient_penalty.item():.12e}")
    step += 1
    optimizer_G.zero_grad()
    if i % n_critic == n_critic - 1:
        fake_imgs = generator(z)
        g_loss = -torch.mean(discriminator(fake_imgs))
        g_loss.backward()
        optimizer_G.step()
        print(f"step {step} loss {g_loss.item():.12e}")
        step += 1
