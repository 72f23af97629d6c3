"""MNIST-style CNN (PyTorch's examples/mnist): Dropout, Adadelta + StepLR, an evaluation pass,
and a checkpoint saved, loaded into a fresh model and optimizer, and resumed."""
import argparse
import math
import os
import tempfile

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.optim.lr_scheduler import StepLR


def pseudo(*shape, seed=0, scale=1.0):
    """Random-looking values that are the same under any engine (seeded draws are not)."""
    t = torch.arange(math.prod(shape), dtype=torch.float64) * 0.7548776662 + seed * 0.56984029
    return (torch.sin(t * 12.9898) * scale).reshape(shape).to(torch.get_default_dtype())


class Net(nn.Module):
    def __init__(self, p1, p2):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, 1)
        self.conv2 = nn.Conv2d(8, 16, 3, 1)
        self.dropout1 = nn.Dropout(p1)
        self.dropout2 = nn.Dropout(p2)
        self.fc1 = nn.Linear(2304, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        return F.log_softmax(self.fc2(x), dim=1)


def reinit(model, seed):
    with torch.no_grad():
        for k, p in enumerate(model.parameters()):
            fan_in = p[0].numel() if p.dim() > 1 else p.numel()
            p.copy_(pseudo(*p.shape, seed=seed + k, scale=1 / math.sqrt(fan_in)))


parser = argparse.ArgumentParser()
parser.add_argument("--dropout", type=float, default=0.25)
parser.add_argument("--steps", type=int, default=3)
args = parser.parse_args()

torch.manual_seed(1)
images = (pseudo(64, 1, 28, 28, seed=7) + 1) / 2
images = (images - 0.1307) / 0.3081
labels = torch.tensor([(7 * i + 3) % 10 for i in range(64)])
model = Net(args.dropout, 2 * args.dropout)
reinit(model, 0)
optimizer = torch.optim.Adadelta(model.parameters(), lr=1.0)
scheduler = StepLR(optimizer, step_size=1, gamma=0.7)


def train(model, optimizer, scheduler, first, steps):
    model.train()
    for step in range(first, first + steps):
        batch = slice(16 * (step % 4), 16 * (step % 4) + 16)
        optimizer.zero_grad()
        output = model(images[batch])
        loss = F.nll_loss(output, labels[batch])
        loss.backward()
        optimizer.step()
        scheduler.step()
        print(f"step {step} loss {loss.item():.12e} lr {scheduler.get_last_lr()[0]:.6f}")
        print(f"Train step {step}\tLoss: {loss:.6f}")
    return loss


train(model, optimizer, scheduler, 0, args.steps)
model.eval()
with torch.no_grad():
    output = model(images)
    test_loss = F.nll_loss(output, labels, reduction="sum").item() / len(images)
    pred = output.argmax(dim=1, keepdim=True)
    correct = pred.eq(labels.view_as(pred)).sum().item()
print(f"eval loss {test_loss:.12e} correct {correct}")

path = os.path.join(tempfile.mkdtemp(), "mnist_cnn.pt")
torch.save({"step": args.steps, "model_state_dict": model.state_dict(),
            "optimizer_state_dict": optimizer.state_dict(),
            "scheduler_state_dict": scheduler.state_dict()}, path)
checkpoint = torch.load(path, weights_only=True)
resumed = Net(args.dropout, 2 * args.dropout)
resumed.load_state_dict(checkpoint["model_state_dict"])
resumed_optimizer = torch.optim.Adadelta(resumed.parameters(), lr=1.0)
resumed_optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
resumed_scheduler = StepLR(resumed_optimizer, step_size=1, gamma=0.7)
resumed_scheduler.load_state_dict(checkpoint["scheduler_state_dict"])
model = resumed
train(resumed, resumed_optimizer, resumed_scheduler, checkpoint["step"], args.steps)
