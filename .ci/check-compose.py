#!/usr/bin/env python3
"""Static checks of docker/compose*.yaml (no Docker engine here: they cannot be run in CI).

Each file must parse as YAML (anchors and merge keys resolved); every service a service depends on
must exist; every build context, Dockerfile and bind-mounted host file must exist; every required
variable (${NAME:?...}) must be set by the command in the file's header comment; every REDIS_URL
must use a scheme the nodes accept, and the cluster and Sentinel profiles their own mode; only
HAProxy is published; the nodes trust HAProxy's own fixed address alone to state client addresses
(never a range a client may sit in), with the PROXY protocol on both sides or neither.
"""
import pathlib
import re
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCKER = ROOT / "docker"
SCHEMES = ("redis://", "rediss://", "redis-sentinel://", "rediss-sentinel://", "redis-cluster://", "rediss-cluster://")
EXPECTED_MODE = {"compose.redis-cluster.yaml": "redis-cluster://", "compose.redis-sentinel.yaml": "redis-sentinel://"}
problems = []


def check(path):
    text = path.read_text()
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        problems.append(f"{path.name}: not valid YAML: {e}")
        return
    services = doc.get("services") or {}
    if not services:
        problems.append(f"{path.name}: no services")
    header = "\n".join(l for l in text.splitlines() if l.startswith("#"))
    for name in sorted(set(re.findall(r"\$\{([A-Z_]+):\?", text))):
        if name + "=" not in header:
            problems.append(f"{path.name}: required variable {name} is not set by the header's command")
    for service, spec in services.items():
        spec = spec or {}
        depends = spec.get("depends_on") or []
        for dep in (depends.keys() if isinstance(depends, dict) else depends):
            if dep not in services:
                problems.append(f"{path.name}: {service} depends on unknown service {dep}")
        build = spec.get("build")
        if isinstance(build, dict):
            context = (DOCKER / build.get("context", ".")).resolve()
            if not context.is_dir():
                problems.append(f"{path.name}: {service}: build context {context} missing")
            dockerfile = context / build.get("dockerfile", "Dockerfile")
            if not dockerfile.is_file():
                problems.append(f"{path.name}: {service}: Dockerfile {dockerfile} missing")
        for volume in spec.get("volumes") or []:
            source = str(volume).split(":")[0]
            if source.startswith((".", "/")) and not (DOCKER / source).resolve().exists():
                problems.append(f"{path.name}: {service}: mounted file {source} missing")
        env = spec.get("environment") or {}
        url = env.get("REDIS_URL") if isinstance(env, dict) else None
        if url is not None:
            if not url.startswith(SCHEMES):
                problems.append(f"{path.name}: {service}: REDIS_URL {url!r} has no scheme the nodes accept")
            expected = EXPECTED_MODE.get(path.name)
            if expected and not url.startswith(expected):
                problems.append(f"{path.name}: {service}: REDIS_URL should start with {expected}")
            if "@" not in url:
                problems.append(f"{path.name}: {service}: REDIS_URL carries no credentials")
    check_perimeter(path.name, services)


def check_perimeter(name, services):
    haproxy = services.get("haproxy") or {}
    networks = haproxy.get("networks") or {}
    addresses = {(n or {}).get("ipv4_address") for n in networks.values()} if isinstance(networks, dict) else set()
    addresses.discard(None)
    haproxy_env = haproxy.get("environment") or {}
    for service, spec in services.items():
        spec = spec or {}
        if spec.get("ports") and service != "haproxy":
            problems.append(f"{name}: {service} publishes ports; only HAProxy may")
        env = spec.get("environment") or {}
        if not isinstance(env, dict) or "REDIS_URL" not in env:
            continue
        proxies = [p.strip() for p in str(env.get("TRUSTED_PROXIES", "")).split(",") if p.strip()]
        if not proxies or any(p not in addresses for p in proxies):
            problems.append(f"{name}: {service}: TRUSTED_PROXIES {proxies} must be HAProxy's own fixed address"
                            f" {sorted(addresses)}, nothing wider")
        if str(env.get("PROXY_PROTOCOL", "false")) != str(haproxy_env.get("PROXY_PROTOCOL", "false")):
            problems.append(f"{name}: {service}: PROXY_PROTOCOL differs between the node and HAProxy")


files = sorted(DOCKER.glob("compose*.yaml"))
if not files:
    problems.append("no docker/compose*.yaml found")
for f in files:
    check(f)
if problems:
    print("\n".join("compose check: " + p for p in problems), file=sys.stderr)
    sys.exit(1)
print(f"compose check: {len(files)} files parse; services, build files, mounts, variables and REDIS_URL schemes are consistent"
      " (not run: no Docker engine here)")
