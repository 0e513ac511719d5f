"""intermezzo.demo"""
