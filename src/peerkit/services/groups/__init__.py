"""Groups and their meetings: the weekly life of a mastermind.

Groups and memberships, meetings, the weekly plan, rotation, agendas and commitments.
"""
