"""What the community is told about itself.

Stats, the public community page, and the demo community.
"""
