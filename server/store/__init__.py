"""The store stage: the build's on-disk store and the engines that answer SPARQL over it.

    on-disk store ─▶ inspect (what will run) ─▶ engine (query processes, sandboxed) ─▶ results
"""
