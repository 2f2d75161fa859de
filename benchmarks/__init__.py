"""Benchmark suite: NVivo-shaped project generator and the timing/memory runner."""
