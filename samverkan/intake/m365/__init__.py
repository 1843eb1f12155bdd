"""Microsoft 365 without passwords: app-only tokens (``token``), the Graph client (``graph``)
and sending through Graph (``send``). ``msal`` is used in ``token`` only, ``httpx`` in ``graph``.
"""
