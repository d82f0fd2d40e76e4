#!/usr/bin/env python3
"""py-cpu-sync: one thread, one loop over every item (the study's sync CPU run)."""

from concbench import cpu_entry

if __name__ == "__main__":
    cpu_entry.main("py-cpu-sync", lambda cfg, inputs, sampler: [inputs.tally(range(inputs.len))])
