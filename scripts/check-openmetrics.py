#!/usr/bin/env python3
"""check-openmetrics.py FILE: parses an exposition with prometheus_client's two parsers, the strict OpenMetrics one
and the Prometheus text-format one (which node_exporter's textfile collector speaks), and prints the samples of the
OpenMetrics parse as JSON: [{"family", "type", "name", "labels", "value"}]. Exits 1 when either parser refuses it.
"""
import json
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families as openmetrics_families
from prometheus_client.parser import text_string_to_metric_families as text_families

with open(sys.argv[1], encoding="utf-8") as f:
    text = f.read()
try:
    families = list(openmetrics_families(text))
    list(text_families(text))
except Exception as error:  # both parsers raise ValueError (and others) on bad input
    print(f"check-openmetrics: {type(error).__name__}: {error}", file=sys.stderr)
    sys.exit(1)
samples = [
    {"family": family.name, "type": family.type, "name": s.name, "labels": s.labels, "value": s.value}
    for family in families
    for s in family.samples
]
json.dump(samples, sys.stdout, ensure_ascii=False)
print()
