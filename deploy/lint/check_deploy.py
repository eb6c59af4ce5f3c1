#!/usr/bin/env python3
"""Cross-file checks for deploy/ that no generic linter can make (run by scripts/lint-deploy).

- Metric names: every `contactsync_*` name in the dashboard, the alert rules, their tests and
  docs/operations.md is one the worker exports, i.e. a string literal in Sources/ (histogram
  series `_bucket`, `_sum`, `_count` count as their histogram).
- Runbooks: every alert has a runbook_url, RUNBOOK_BASE#anchor (absolute, so it works from an
  Alertmanager notification), whose anchor is a heading of docs/operations.md; every heading
  under "## Alerts" there names a rule, and every rule has one (both directions).
- Alert tests: every alert has a case in alerts.test.yaml where it fires and one where it is
  silent (`exp_alerts: []`); promtool runs them.
- Scrape paths: no rule selects on `job` (the annotation-based path names it otherwise); every
  scrape path in deploy/ gives the label the rules select workers by (WORKER_LABEL).
- Dashboard: valid JSON, unique panel ids, the `${datasource}` variable on every query; its
  queries are written out as recording rules (Grafana variables replaced) for `promtool check
  rules` to parse (the path is the first argument).
- Kubernetes: kustomization resources exist; KEDA watches the group and topics the ConfigMap
  gives the worker; maxReplicaCount is not above the partition count; the grace period is above
  the drain deadline; probes and the Service use the container's named port.
- Compose: kafka-init creates every topic the worker needs; the worker's platform URL and
  token are the sandbox's; Prometheus scrapes the worker's port.

Usage: check_deploy.py REPO_ROOT DASHBOARD_RULES_OUT
"""
from __future__ import annotations

import difflib
import json
import os
import re
import sys
from pathlib import Path

import yaml

METRIC = re.compile(r"\bcontactsync_[a-zA-Z0-9_]+\b")
SERIES_SUFFIXES = ("_bucket", "_sum", "_count")
# Files in deploy/k8s that are deliberately not in kustomization.yaml.
OPTIONAL_MANIFESTS = {"servicemonitor.yaml", "secret.example.yaml"}
# The worker's default drain deadline (docs/configuration.md, drain_deadline_seconds) and the
# environment variable that overrides it.
DEFAULT_DRAIN_DEADLINE_SECONDS = 30
DRAIN_DEADLINE_ENV = "CONTACT_SYNC_DRAIN_DEADLINE_SECONDS"
# Where the runbooks live, as an absolute URL (Alertmanager notifications are read far from
# this repository). Point it at your own copy by rewriting the prefix in alerts.yaml and
# alerts.test.yaml and running with CONTACT_SYNC_RUNBOOK_BASE set to the new one.
RUNBOOK_BASE = os.environ.get(
    "CONTACT_SYNC_RUNBOOK_BASE", "https://github.com/contact-sync/contact-sync/blob/main/docs/operations.md")
# The label the rules find workers by, as Prometheus sanitises the pod label
# app.kubernetes.io/name, and its value.
WORKER_LABEL = ("app_kubernetes_io_name", "contact-sync")
GRAFANA_VARIABLES = {
    "$__rate_interval": "5m",
    "$__interval": "1m",
    "$__range": "1h",
    "$instance": ".*",
}


class Report:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, where: str, what: str) -> None:
        self.problems.append(f"{where}: {what}")


def exported_metrics(root: Path) -> set[str]:
    """The metric names the worker exports: `contactsync_*` string literals in Sources/."""
    names: set[str] = set()
    for path in sorted((root / "Sources").rglob("*.swift")):
        names.update(re.findall(r'"(contactsync_[a-zA-Z0-9_]+)"', path.read_text()))
    return names


def check_metric_names(root: Path, usages: list[tuple[str, str]], report: Report) -> None:
    catalogue = exported_metrics(root)
    if not catalogue:
        # Only until the CLI's metric catalogue lands on main: then this becomes a failure.
        print("lint-deploy: SKIP metric names: no \"contactsync_*\" string literal in Sources/ "
              "yet, so the names in deploy/ cannot be checked against the worker's catalogue")
        return
    for where, text in usages:
        for name in sorted(set(METRIC.findall(text))):
            if name in catalogue:
                continue
            base = next((name[: -len(s)] for s in SERIES_SUFFIXES if name.endswith(s)), None)
            if base in catalogue:
                continue
            near = difflib.get_close_matches(base or name, catalogue, n=1)
            hint = f"; did you mean {near[0]}?" if near else ""
            report.fail(where, f"unknown metric {name}: the worker exports no such series "
                        f"(no \"{base or name}\" literal in Sources/){hint}")


def github_anchor(heading: str) -> str:
    slug = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return slug.replace(" ", "-")


def alert_runbooks(text: str) -> list[str]:
    """The `###` headings of the "## Alerts" section: one runbook per rule."""
    section = re.search(r"^## Alerts\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    return re.findall(r"^### +(\S+)\s*$", section.group(1), re.M) if section else []


def check_alerts(root: Path, report: Report) -> list[tuple[str, str]]:
    rel = "deploy/prometheus/alerts.yaml"
    rules = yaml.safe_load((root / rel).read_text())
    ops = root / "docs/operations.md"
    anchors = set()
    runbooks: list[str] = []
    if ops.exists():
        anchors = {github_anchor(m) for m in re.findall(r"^#+\s+(.+)$", ops.read_text(), re.M)}
        for link in re.findall(r"\]\(#([^)]+)\)", ops.read_text()):
            if link not in anchors:
                report.fail("docs/operations.md", f"link #{link} points to no heading")
        runbooks = alert_runbooks(ops.read_text())
    else:
        report.fail("docs/operations.md", "missing: the alert runbooks link to it")
    usages = []
    alerts: list[str] = []
    for group in rules.get("groups", []):
        for rule in group.get("rules", []):
            name = rule.get("alert") or rule.get("record") or "?"
            where = f"{rel} ({name})"
            usages.append((where, rule.get("expr", "")))
            if re.search(r"\bjob\s*=~?", rule.get("expr", "")):
                report.fail(where, "selects on job: the annotation-based scrape path names its job "
                            f"otherwise; select workers by {WORKER_LABEL[0]}=\"{WORKER_LABEL[1]}\"")
            if "alert" not in rule:
                continue
            alerts.append(name)
            notes = rule.get("annotations", {})
            for key in ("summary", "description", "runbook_url"):
                if not notes.get(key):
                    report.fail(where, f"annotation {key} is missing")
            if not rule.get("labels", {}).get("severity"):
                report.fail(where, "label severity is missing")
            url = notes.get("runbook_url", "")
            if not url.startswith(RUNBOOK_BASE + "#"):
                report.fail(where, f"runbook_url {url!r} is not {RUNBOOK_BASE}#<anchor> (an absolute "
                            "URL into docs/operations.md; see RUNBOOK_BASE)")
            elif ops.exists() and url.split("#", 1)[1] not in anchors:
                report.fail(where, f"runbook_url anchor #{url.split('#', 1)[1]} is no heading "
                            "of docs/operations.md")
            if ops.exists() and name not in runbooks:
                report.fail(where, f"has no runbook: add \"### {name}\" under \"## Alerts\" in "
                            "docs/operations.md")
    for runbook in runbooks:
        if runbook not in alerts:
            report.fail("docs/operations.md", f"runbook \"### {runbook}\" under \"## Alerts\" names no "
                        f"rule of {rel}: rename it to the rule's name, or move it out of that section")
    check_alert_tests(root, alerts, report)
    return usages


def check_alert_tests(root: Path, alerts: list[str], report: Report) -> None:
    """Each alert is shown firing and shown silent by at least one promtool case."""
    rel = "deploy/prometheus/alerts.test.yaml"
    tests = yaml.safe_load((root / rel).read_text()) or {}
    firing: set[str] = set()
    silent: set[str] = set()
    for test in tests.get("tests", []):
        for case in test.get("alert_rule_test", []):
            (firing if case.get("exp_alerts") else silent).add(case.get("alertname"))
    for name in alerts:
        if name not in firing:
            report.fail(rel, f"no case shows {name} firing (an alert_rule_test with exp_alerts)")
        if name not in silent:
            report.fail(rel, f"no case shows {name} silent (an alert_rule_test with exp_alerts: [])")
    for name in sorted((firing | silent) - set(alerts)):
        report.fail(rel, f"tests alert {name}, which alerts.yaml does not have")


def check_scrape_labels(root: Path, report: Report) -> None:
    """Every scrape path gives workers the label the rules select them by."""
    label, value = WORKER_LABEL
    k8s = root / "deploy/k8s"
    deployment = yaml.safe_load((k8s / "deployment.yaml").read_text())
    pod_labels = deployment["spec"]["template"]["metadata"].get("labels", {})
    if pod_labels.get("app.kubernetes.io/name") != value:
        report.fail("deploy/k8s/deployment.yaml", f"the pod template lacks the label "
                    f"app.kubernetes.io/name: {value}, which the alert rules find workers by")
    monitor = yaml.safe_load((k8s / "servicemonitor.yaml").read_text())
    if "app.kubernetes.io/name" not in monitor["spec"].get("podTargetLabels", []):
        report.fail("deploy/k8s/servicemonitor.yaml", "podTargetLabels lacks app.kubernetes.io/name: "
                    f"the alert rules find workers by {label}")
    pods = yaml.safe_load((root / "deploy/prometheus/kubernetes-pods.yml").read_text())
    relabels = [r for job in pods["scrape_configs"] for r in job.get("relabel_configs", [])]
    if not any(r.get("action") == "labelmap" and "__meta_kubernetes_pod_label_" in r.get("regex", "")
               for r in relabels):
        report.fail("deploy/prometheus/kubernetes-pods.yml", "no labelmap of __meta_kubernetes_pod_label_(.+): "
                    f"the pods' app.kubernetes.io/name would not become {label}")
    compose = yaml.safe_load((root / "deploy/prometheus/prometheus.yml").read_text())
    statics = [c for job in compose["scrape_configs"] for c in job.get("static_configs", [])]
    if not statics or any(c.get("labels", {}).get(label) != value for c in statics):
        report.fail("deploy/prometheus/prometheus.yml", f"a static target lacks labels: {{{label}: {value}}}")


def check_dashboard(root: Path, rules_out: Path, report: Report) -> list[tuple[str, str]]:
    rel = "deploy/grafana/dashboards/contact-sync.json"
    try:
        dashboard = json.loads((root / rel).read_text())
    except json.JSONDecodeError as error:
        report.fail(rel, f"not valid JSON: {error}")
        return []
    usages, recording = [], []
    ids: set[int] = set()
    for panel in dashboard.get("panels", []):
        title = panel.get("title", "?")
        where = f"{rel} (panel {title!r})"
        if panel.get("id") in ids:
            report.fail(where, f"panel id {panel.get('id')} is used twice")
        ids.add(panel.get("id"))
        if panel.get("type") == "row":
            continue
        if "gridPos" not in panel:
            report.fail(where, "gridPos is missing")
        targets = panel.get("targets", [])
        if not targets:
            report.fail(where, "has no query")
        for target in targets:
            expr = target.get("expr", "")
            if not expr.strip():
                report.fail(where, f"query {target.get('refId')} has no expr")
                continue
            if target.get("datasource", {}).get("uid") != "${datasource}":
                report.fail(where, "query does not use the ${datasource} variable")
            usages.append((where, expr))
            for variable, value in GRAFANA_VARIABLES.items():
                expr = expr.replace(variable, value)
            if "$" in expr:
                report.fail(where, f"unknown Grafana variable in {expr!r}")
            recording.append({"record": f"dashboard:panel_{panel.get('id')}_{target.get('refId')}",
                              "expr": expr})
    for variable in dashboard.get("templating", {}).get("list", []):
        query = variable.get("query")
        if isinstance(query, dict):
            usages.append((f"{rel} (variable {variable.get('name')})", query.get("query", "")))
    rules_out.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": recording}]}))
    return usages


def check_kubernetes(root: Path, report: Report) -> None:
    base = root / "deploy/k8s"
    kustomization = yaml.safe_load((base / "kustomization.yaml").read_text())
    listed = set(kustomization.get("resources", []))
    for resource in sorted(listed):
        if not (base / resource).exists():
            report.fail("deploy/k8s/kustomization.yaml", f"resource {resource} does not exist")
    for path in sorted(base.glob("*.yaml")):
        if path.name != "kustomization.yaml" and path.name not in listed | OPTIONAL_MANIFESTS:
            report.fail(f"deploy/k8s/{path.name}", "neither in kustomization.yaml nor optional")

    # The image tag is the build's version (contactsync_build_info, --version).
    version = re.search(r'static let version = "([^"]+)"',
                        (root / "Sources/ContactSyncCLI/BuildInfo.swift").read_text())
    tags = [i.get("newTag") for i in kustomization.get("images", []) if i.get("name") == "contact-sync"]
    if version and tags and tags[0] != version.group(1):
        report.fail("deploy/k8s/kustomization.yaml", f"image tag {tags[0]} is not the build's version "
                    f"{version.group(1)} (BuildInfo.version in Sources/ContactSyncCLI/BuildInfo.swift)")

    docs = {}
    for path in sorted(base.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                docs[doc["kind"]] = doc
    config = docs["ConfigMap"]["data"]
    scaled = docs["ScaledObject"]
    deployment = docs["Deployment"]
    where = "deploy/k8s/scaledobject.yaml"

    topics = [t.strip() for t in config["CONTACT_SYNC_TOPICS"].split(",") if t.strip()]
    kafka = [t["metadata"] for t in scaled["spec"]["triggers"] if t["type"] == "kafka"]
    watched = [m.get("topic") for m in kafka]
    if sorted(watched) != sorted(topics):
        report.fail(where, f"Kafka triggers watch topics {watched}, the worker consumes {topics} "
                    "(CONTACT_SYNC_TOPICS in configmap.yaml)")
    for meta in kafka:
        if meta.get("consumerGroup") != config["CONTACT_SYNC_KAFKA_GROUP_ID"]:
            report.fail(where, f"trigger for {meta.get('topic')} watches group "
                        f"{meta.get('consumerGroup')!r}, the worker's group is "
                        f"{config['CONTACT_SYNC_KAFKA_GROUP_ID']!r}")
        if meta.get("bootstrapServers") != config["CONTACT_SYNC_KAFKA_BOOTSTRAP_SERVERS"]:
            report.fail(where, f"trigger for {meta.get('topic')} reads brokers "
                        f"{meta.get('bootstrapServers')!r}, the worker uses "
                        f"{config['CONTACT_SYNC_KAFKA_BOOTSTRAP_SERVERS']!r}")
    partitions = scaled["metadata"].get("annotations", {}).get("contact-sync/source-partitions")
    if partitions is None:
        report.fail(where, "annotation contact-sync/source-partitions (the partition count) is missing")
    elif scaled["spec"]["maxReplicaCount"] > int(partitions):
        report.fail(where, f"maxReplicaCount {scaled['spec']['maxReplicaCount']} is above the "
                    f"{partitions} partitions: the extra consumers would sit idle")

    spec = deployment["spec"]["template"]["spec"]
    drain = int(config.get(DRAIN_DEADLINE_ENV, DEFAULT_DRAIN_DEADLINE_SECONDS))
    grace = spec.get("terminationGracePeriodSeconds", 30)
    if grace <= drain:
        report.fail("deploy/k8s/deployment.yaml", f"terminationGracePeriodSeconds {grace} is not "
                    f"above the drain deadline of {drain} s: pods would be killed mid-drain")
    container = spec["containers"][0]
    ports = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        port = container.get(probe, {}).get("httpGet", {}).get("port")
        if port not in ports:
            report.fail("deploy/k8s/deployment.yaml", f"{probe} uses port {port!r}, not a named "
                        "container port")
    http_port = int(config.get("CONTACT_SYNC_HTTP_PORT", 9090))
    if ports.get("metrics") != http_port:
        report.fail("deploy/k8s/deployment.yaml", f"container port metrics is {ports.get('metrics')}, "
                    f"the worker listens on {http_port} (CONTACT_SYNC_HTTP_PORT)")
    annotations = deployment["spec"]["template"]["metadata"].get("annotations", {})
    if annotations.get("prometheus.io/port") != str(http_port):
        report.fail("deploy/k8s/deployment.yaml", "prometheus.io/port does not match CONTACT_SYNC_HTTP_PORT")


def check_compose(root: Path, report: Report) -> None:
    """The laptop stack wires up: topics exist, the worker reaches the sandbox with its token,
    Prometheus scrapes the worker's port."""
    rel = "deploy/compose.yaml"
    services = yaml.safe_load((root / rel).read_text())["services"]
    env = services["worker"]["environment"]
    init = " ".join(services["kafka-init"]["command"])
    group = env["CONTACT_SYNC_KAFKA_GROUP_ID"]
    needed = [t.strip() for t in env["CONTACT_SYNC_TOPICS"].split(",")]
    needed += [env["CONTACT_SYNC_DLQ_TOPIC"], f"{group}.versions"]
    for topic in needed:
        if not re.search(rf"(?<![\w.-]){re.escape(topic)}(?![\w.-])", init):
            report.fail(rel, f"kafka-init does not create topic {topic}, which the worker needs")
    sandbox = services["sandbox"]["command"]
    port = sandbox[sandbox.index("--port") + 1]
    if env["CONTACT_SYNC_PLATFORM_URL"] != f"http://sandbox:{port}":
        report.fail(rel, f"the worker's CONTACT_SYNC_PLATFORM_URL {env['CONTACT_SYNC_PLATFORM_URL']} "
                    f"is not the sandbox (http://sandbox:{port})")
    token = (root / "deploy" / "dev-platform-token").read_text().strip()
    if services["sandbox"]["environment"]["CONTACT_SYNC_SANDBOX_TOKEN"] != token:
        report.fail(rel, "the sandbox's token differs from deploy/dev-platform-token (the worker's)")
    scrape = yaml.safe_load((root / "deploy/prometheus/prometheus.yml").read_text())
    targets = [t for job in scrape["scrape_configs"] for c in job.get("static_configs", [])
               for t in c["targets"]]
    if f"worker:{env['CONTACT_SYNC_HTTP_PORT']}" not in targets:
        report.fail("deploy/prometheus/prometheus.yml", f"does not scrape worker:"
                    f"{env['CONTACT_SYNC_HTTP_PORT']} (the worker's CONTACT_SYNC_HTTP_PORT)")


def main() -> int:
    root, rules_out = Path(sys.argv[1]), Path(sys.argv[2])
    report = Report()
    usages = check_alerts(root, report)
    usages += check_dashboard(root, rules_out, report)
    tests = root / "deploy/prometheus/alerts.test.yaml"
    usages.append(("deploy/prometheus/alerts.test.yaml", tests.read_text()))
    ops = root / "docs/operations.md"
    if ops.exists():
        usages.append(("docs/operations.md", ops.read_text()))
    check_metric_names(root, usages, report)
    check_kubernetes(root, report)
    check_compose(root, report)
    check_scrape_labels(root, report)
    for problem in report.problems:
        print(f"lint-deploy: {problem}", file=sys.stderr)
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
