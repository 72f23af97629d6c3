"""A triplet-loss embedding net with a custom autograd.Function (PyTorch's custom-Function
tutorials): ctx.save_for_backward, needs_input_grad, gradcheck, TripletMarginLoss."""
import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F


class LegendrePolynomial3(torch.autograd.Function):
    """P3(x) = (5x^3 - 3x) / 2, the tutorial's polynomial, used as an activation."""

    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)


class ScaledShift(torch.autograd.Function):
    """y = x * scale + shift with a non-tensor argument; grads only where asked."""

    @staticmethod
    def forward(ctx, x, shift, scale):
        ctx.scale = scale
        return x * scale + shift

    @staticmethod
    def backward(ctx, grad_output):
        grad_x = grad_shift = None
        if ctx.needs_input_grad[0]:
            grad_x = grad_output * ctx.scale
        if ctx.needs_input_grad[1]:
            grad_shift = grad_output.sum(0)
        return grad_x, grad_shift, None


class EmbeddingNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.convnet = nn.Sequential(nn.Conv2d(1, 4, 5), nn.PReLU(), nn.MaxPool2d(2, stride=2),
                                     nn.Conv2d(4, 8, 5), nn.PReLU(), nn.MaxPool2d(2, stride=2))
        self.fc = nn.Sequential(nn.Linear(8 * 4 * 4, 32), nn.PReLU(), nn.Linear(32, 2))
        self.shift = nn.Parameter(torch.zeros(2))

    def forward(self, x):
        output = self.convnet(x)
        output = output.view(output.size()[0], -1)
        output = LegendrePolynomial3.apply(torch.tanh(self.fc(output)))
        return ScaledShift.apply(output, self.shift, 2.0)


class TripletNet(nn.Module):
    def __init__(self, embedding_net):
        super().__init__()
        self.embedding_net = embedding_net

    def forward(self, x1, x2, x3):
        return self.embedding_net(x1), self.embedding_net(x2), self.embedding_net(x3)


parser = argparse.ArgumentParser()
parser.add_argument("--steps", type=int, default=4)
args = parser.parse_args()
torch.set_default_dtype(torch.float64)
x = torch.linspace(-1.0, 1.0, 6, requires_grad=True)
s = torch.zeros(6, requires_grad=True)
assert torch.autograd.gradcheck(LegendrePolynomial3.apply, (x,))
assert torch.autograd.gradcheck(lambda a, b: ScaledShift.apply(a, b, 3.0), (x.view(2, 3), s[:3]))

images = torch.sin(torch.arange(3 * 32 * 28 * 28) * 9.8052).reshape(3, 32, 1, 28, 28)
model = TripletNet(EmbeddingNet())
with torch.no_grad():  # the same weights in any engine (init's draws differ)
    for k, p in enumerate(model.parameters()):
        scale = 1.0 / (p[0].numel() if p.dim() > 1 else p.numel()) ** 0.5
        p.copy_(scale * torch.cos(torch.arange(p.numel()) * (1.1 + 0.2 * k)).reshape(p.shape))
criterion = nn.TripletMarginLoss(margin=1.0, p=2)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
for step in range(args.steps):
    batch = slice(8 * (step % 4), 8 * (step % 4) + 8)
    anchor, positive, negative = model(*(images[j, batch] for j in range(3)))
    loss = criterion(anchor, positive, negative)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    distance = F.pairwise_distance(anchor, negative).mean()
    print(f"step {step} loss {loss.item():.12e} negative distance {distance.item():.12e}")
