"""Every message peerkit writes or sends, on one path: build, record, write, send; and feeds.

message, ledger (what was delivered) and delivery; then invitations, reminders, checkins, events.
"""
