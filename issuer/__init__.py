"""The issuer role package; its API arrives with its issue (see DESIGN.md)."""

__all__: list[str] = []
