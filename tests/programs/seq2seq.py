"""Seq2seq with Bahdanau attention (PyTorch's NLP-from-scratch tutorial): GRU encoder and
decoder, teacher forcing chosen by Python's `random`, topk decoding, two optimizers."""
import argparse
import random

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import optim

SOS_token, EOS_token, MAX_LENGTH = 0, 1, 8


class EncoderRNN(nn.Module):
    def __init__(self, input_size, hidden_size, dropout_p=0.1):
        super().__init__()
        self.embedding = nn.Embedding(input_size, hidden_size)
        self.gru = nn.GRU(hidden_size, hidden_size, batch_first=True)
        self.dropout = nn.Dropout(dropout_p)

    def forward(self, input):
        embedded = self.dropout(self.embedding(input))
        return self.gru(embedded)


class BahdanauAttention(nn.Module):
    def __init__(self, hidden_size):
        super().__init__()
        self.Wa = nn.Linear(hidden_size, hidden_size)
        self.Ua = nn.Linear(hidden_size, hidden_size)
        self.Va = nn.Linear(hidden_size, 1)

    def forward(self, query, keys):
        scores = self.Va(torch.tanh(self.Wa(query) + self.Ua(keys)))
        scores = scores.squeeze(2).unsqueeze(1)
        weights = F.softmax(scores, dim=-1)
        return torch.bmm(weights, keys), weights


class AttnDecoderRNN(nn.Module):
    def __init__(self, hidden_size, output_size, dropout_p=0.1):
        super().__init__()
        self.embedding = nn.Embedding(output_size, hidden_size)
        self.attention = BahdanauAttention(hidden_size)
        self.gru = nn.GRU(2 * hidden_size, hidden_size, batch_first=True)
        self.out = nn.Linear(hidden_size, output_size)
        self.dropout = nn.Dropout(dropout_p)

    def forward(self, encoder_outputs, encoder_hidden, target_tensor=None):
        batch_size = encoder_outputs.size(0)
        decoder_input = torch.empty(batch_size, 1, dtype=torch.long).fill_(SOS_token)
        decoder_hidden = encoder_hidden
        decoder_outputs, attentions = [], []
        for i in range(MAX_LENGTH):
            decoder_output, decoder_hidden, attn_weights = self.forward_step(
                decoder_input, decoder_hidden, encoder_outputs)
            decoder_outputs.append(decoder_output)
            attentions.append(attn_weights)
            if target_tensor is not None:
                decoder_input = target_tensor[:, i].unsqueeze(1)  # teacher forcing
            else:
                _, topi = decoder_output.topk(1)
                decoder_input = topi.squeeze(-1).detach()
        decoder_outputs = F.log_softmax(torch.cat(decoder_outputs, dim=1), dim=-1)
        return decoder_outputs, decoder_hidden, torch.cat(attentions, dim=1)

    def forward_step(self, input, hidden, encoder_outputs):
        embedded = self.dropout(self.embedding(input))
        query = hidden.permute(1, 0, 2)
        context, attn_weights = self.attention(query, encoder_outputs)
        input_gru = torch.cat((embedded, context), dim=2)
        output, hidden = self.gru(input_gru, hidden)
        return self.out(output), hidden, attn_weights


parser = argparse.ArgumentParser()
parser.add_argument("--dropout", type=float, default=0.1)
parser.add_argument("--steps", type=int, default=4)
args = parser.parse_args()
random.seed(0)
torch.set_default_dtype(torch.float64)
n_words, hidden = 30, 32
pairs = [[(3 * i + 5 * j) % (n_words - 2) + 2 for j in range(MAX_LENGTH - 1)] + [EOS_token]
         for i in range(32)]
inputs = torch.tensor(pairs)
targets = torch.flip(inputs[:, :-1], dims=[1])
targets = torch.cat([targets, torch.full((32, 1), EOS_token)], dim=1)
encoder = EncoderRNN(n_words, hidden, args.dropout)
decoder = AttnDecoderRNN(hidden, n_words, args.dropout)
with torch.no_grad():  # the same weights in any engine (init's draws differ)
    for k, p in enumerate(list(encoder.parameters()) + list(decoder.parameters())):
        p.copy_(0.2 * torch.sin(torch.arange(p.numel()) * (0.71 + 0.13 * k)).reshape(p.shape))
encoder_optimizer = optim.Adam(encoder.parameters(), lr=0.01)
decoder_optimizer = optim.Adam(decoder.parameters(), lr=0.01)
criterion = nn.NLLLoss()
for step in range(args.steps):
    batch = slice(8 * (step % 4), 8 * (step % 4) + 8)
    input_tensor, target_tensor = inputs[batch], targets[batch]
    encoder_optimizer.zero_grad()
    decoder_optimizer.zero_grad()
    encoder_outputs, encoder_hidden = encoder(input_tensor)
    teacher = target_tensor if random.random() < 0.5 else None
    decoder_outputs, _, _ = decoder(encoder_outputs, encoder_hidden, teacher)
    loss = criterion(decoder_outputs.view(-1, decoder_outputs.size(-1)), target_tensor.view(-1))
    loss.backward()
    encoder_optimizer.step()
    decoder_optimizer.step()
    print(f"step {step} loss {loss.item():.12e} teacher {teacher is not None}")
