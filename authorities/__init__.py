"""Competent authorities: who owns procedures, who may configure them and who handles their applications."""
