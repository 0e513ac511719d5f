"""intermezzo.metrics"""
