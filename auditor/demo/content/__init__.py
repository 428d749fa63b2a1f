"""What the demo world serves: zone data, site pages and documents, third-party API answers.

All of it is built in memory when the world starts; nothing is written to disk.
"""
