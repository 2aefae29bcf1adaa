"""Members: their profiles, import and export, and leaving.

Adding, finding, changing, pausing, removing and erasing a member; CSV in and out; subject access.
"""
