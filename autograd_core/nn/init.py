"""In-place parameter initialisation with PyTorch's distributions (`nn.init`)."""
