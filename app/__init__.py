"""Gradscope: the inspector app (runner, layout, ui) around autograd_core."""
