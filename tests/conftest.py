"""Shared pytest setup."""

import os

# Quiet TensorFlow and pin the Keras backend before any test imports keras.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
