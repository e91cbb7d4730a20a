"""The package version, in a leaf module any module can import without the package API."""

__version__ = "0.1.0"
