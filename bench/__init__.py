"""t2vbench harness: CLI, run directory, work units, resume, profiling, video I/O, registries.

The leaf modules `bench.errors`, `bench.registry` and `bench.video` import no other project
package, so every package (model, metrics, prompts, reports) may use them. Keep this file free of
imports: importing `bench.video` from `model` must not pull in the runner.
"""

__version__ = "0.1.0"
