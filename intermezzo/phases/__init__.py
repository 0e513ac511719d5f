"""intermezzo.phases"""
