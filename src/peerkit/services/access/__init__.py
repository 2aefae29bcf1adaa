"""Who may do what: database logins, the person behind each, their role and groups.

Enforced by PostgreSQL (roles, GRANTs, row-level security: peerkit.migrations.access_rules).
"""
