"""Every message peerkit writes or sends, and calendar feeds.

Invitations, cancellations, reminders and check-ins are prepared, recorded, written and sent here.
"""
