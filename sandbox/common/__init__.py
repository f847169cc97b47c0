"""Pieces every sandbox app shares: environment settings, fault injection,
CSRF tokens, password hashes, server-side sessions and the uvicorn runner; for the
portals also their accounts, database, page rendering, login routes and app assembly."""
