"""Mentoring: mentors matched to mentees, and their check-ins.

The optimal matching, mentorships by hand, and check-ins planned like meetings.
"""
