"""Time-sequence prediction (PyTorch's examples/time_sequence_prediction): two LSTMCells
unrolled by hand, LBFGS with a closure, future prediction under no_grad, and a checkpoint of
the model and LBFGS state written with torch.save."""
import argparse

import torch
import torch.nn as nn
import torch.optim as optim


class Sequence(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm1 = nn.LSTMCell(1, 24)
        self.lstm2 = nn.LSTMCell(24, 24)
        self.linear = nn.Linear(24, 1)

    def forward(self, input, future=0):
        outputs = []
        h_t = torch.zeros(input.size(0), 24, dtype=torch.double)
        c_t = torch.zeros(input.size(0), 24, dtype=torch.double)
        h_t2 = torch.zeros(input.size(0), 24, dtype=torch.double)
        c_t2 = torch.zeros(input.size(0), 24, dtype=torch.double)
        for input_t in input.split(1, dim=1):
            h_t, c_t = self.lstm1(input_t, (h_t, c_t))
            h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
            output = self.linear(h_t2)
            outputs += [output]
        for i in range(future):
            h_t, c_t = self.lstm1(output, (h_t, c_t))
            h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
            output = self.linear(h_t2)
            outputs += [output]
        return torch.cat(outputs, dim=1)


parser = argparse.ArgumentParser()
parser.add_argument("--steps", type=int, default=3, help="steps to run")
parser.add_argument("--checkpoint", default=None)
opt = parser.parse_args()
T, L, N = 20, 60, 12
x = torch.arange(L).unsqueeze(0) + torch.arange(N).unsqueeze(1) * 3 - 4 * (N // 2)
data = torch.sin(x.double() / 1.0 / T)
input, target = data[3:, :-1], data[3:, 1:]
test_input, test_target = data[:3, :-1], data[:3, 1:]
seq = Sequence()
seq.double()
with torch.no_grad():  # the same weights in any engine (init's draws differ)
    for k, p in enumerate(seq.parameters()):
        wave = torch.cos(torch.arange(p.numel(), dtype=torch.float64) * (0.91 + 0.1 * k))
        p.copy_(0.2 * wave.reshape(p.shape))
criterion = nn.MSELoss()
optimizer = optim.LBFGS(seq.parameters(), lr=0.8, max_iter=4, line_search_fn="strong_wolfe")
for i in range(opt.steps):
    def closure():
        optimizer.zero_grad()
        out = seq(input)
        loss = criterion(out, target)
        loss.backward()
        return loss
    loss = optimizer.step(closure)
    print(f"step {i} loss {loss.item():.12e}")
    with torch.no_grad():
        future = 10
        pred = seq(test_input, future=future)
        test_loss = criterion(pred[:, :-future], test_target)
        print(f"test loss {test_loss.item():.12e}")
if opt.checkpoint:
    torch.save({"model": seq.state_dict(), "optimizer": optimizer.state_dict(),
                "losses": [loss.item()]}, opt.checkpoint)
