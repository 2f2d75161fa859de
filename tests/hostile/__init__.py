"""Hostile and broken input (issue 8): every malicious file is generated in code, in tmp_path."""
