"""intermezzo.noise"""
