"""Pieces every sandbox app shares: environment settings, fault injection,
CSRF tokens, password hashes, server-side sessions and the uvicorn runner."""
