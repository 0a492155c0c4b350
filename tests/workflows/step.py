"""Reads one piece of a GitHub Actions workflow, so that a test runs the workflow's own
text rather than a copy of it.

    python3 step.py WORKFLOW env NAME     the workflow-level env value NAME
    python3 step.py WORKFLOW run 'STEP'   the run script of the step named STEP
    python3 step.py WORKFLOW runs DIR      every run script, one file each, in DIR
"""
import os
import sys

import yaml


def main(path, what, name):
    with open(path, encoding="utf-8") as f:
        workflow = yaml.safe_load(f)
    if what == "env":
        print(workflow["env"][name])
        return
    if what == "runs":
        n = 0
        for job_name, job in workflow["jobs"].items():
            for i, step in enumerate(job.get("steps", [])):
                if "run" in step:
                    n += 1
                    out = os.path.join(name, f"{os.path.basename(path)}.{job_name}.{i}.sh")
                    with open(out, "w", encoding="utf-8") as f:
                        f.write("#!/usr/bin/env bash\n" + step["run"])
        print(n)
        return
    for job in workflow["jobs"].values():
        for step in job.get("steps", []):
            if step.get("name") == name:
                print(step["run"])
                return
    sys.exit(f"{path}: no step named {name!r}")


if __name__ == "__main__":
    main(*sys.argv[1:])
