"""`nn.functional`: the stateless layer functions (a plain list of imports from the ops)."""
