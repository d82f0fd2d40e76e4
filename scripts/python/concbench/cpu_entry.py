"""The shared `main` of the CPU entries: the kernels' input, the window, the report."""

from . import cpu, harness


def main(model: str, run_tallies, variant=None):
    """`run_tallies(cfg, inputs)` returns the tallies of disjoint ranges covering the input."""

    def prepare(cfg):
        harness.only_main_scenario(cfg, model)
        return cpu.Input(cfg)

    def run(cfg, inputs, sampler):
        return {"work": cpu.work(cpu.merge(run_tallies(cfg, inputs, sampler)))}

    harness.main(model, "cpu", lambda cfg: cfg["cpu"]["kernel"], prepare, run, variant=variant, check=cpu.check)
