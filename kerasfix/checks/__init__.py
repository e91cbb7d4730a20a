"""Rules that run on the layer graph and yield findings."""
