"""intermezzo.report"""
