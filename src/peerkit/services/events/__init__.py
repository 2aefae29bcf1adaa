"""Events for the wider community: seats, a waitlist, answers.

Networking evenings, workshops and socials, open to every member.
"""
