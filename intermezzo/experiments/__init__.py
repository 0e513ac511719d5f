"""intermezzo.experiments"""
