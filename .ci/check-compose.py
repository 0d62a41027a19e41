#!/usr/bin/env python3
"""Static checks of docker/compose*.yaml (no Docker engine here: they cannot be run in CI).

Each file must parse as YAML (anchors and merge keys resolved); every service a service depends on
must exist; every build context, Dockerfile and bind-mounted host file must exist; every required
variable (${NAME:?...}) must be set by the command in the file's header comment; every REDIS_URL
must use a scheme the nodes accept, and the cluster and Sentinel profiles their own mode; only
HAProxy is published; the nodes trust HAProxy's own fixed address alone to state client addresses
(never a range a client may sit in), with the PROXY protocol on both sides or neither.

Secure by default (clients and the network in front of the load balancer are hostile): the nodes
require a token (AUTH_REQUIRED=true, JWT_REQUIRE_EXP not turned off), keep the management port on
loopback unless the operator says otherwise (and answer there to the service's own name, for a
scraper on the compose network), never allow every Origin or the load-test hooks; every
redis-server demands a password (a required variable, or the default user off), never with
protected mode off or a passwordless user; the sentinels have a password of their own. The
Dockerfile runs the node as a non-root user, requires a token by default and does not expose the
management port.
"""
import pathlib
import re
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCKER = ROOT / "docker"
LOOPBACK = ("127.", "::1", "localhost")
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
    required = set(re.findall(r"\$\{([A-Z_]+):\?", text))
    for service, spec in services.items():
        check_node_defaults(path.name, service, spec or {})
        check_redis_auth(path.name, service, spec or {}, required)


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


def default_of(value):
    """What a compose value is when the operator sets nothing: ${NAME:-default} -> default."""
    m = re.fullmatch(r"\$\{[A-Z_]+:?-([^}]*)}", str(value).strip())
    return m.group(1) if m else str(value)


def check_node_defaults(name, service, spec):
    env = spec.get("environment") or {}
    if not isinstance(env, dict) or "REDIS_URL" not in env:
        return
    if str(env.get("AUTH_REQUIRED", "false")).lower() != "true":
        problems.append(f"{name}: {service}: AUTH_REQUIRED must be \"true\" (anonymous sockets are off in a shipped deployment)")
    if str(default_of(env.get("JWT_REQUIRE_EXP", "true"))).lower() == "false":
        problems.append(f"{name}: {service}: JWT_REQUIRE_EXP must not be false (tokens must end)")
    host = default_of(env.get("MANAGEMENT_HOST", "127.0.0.1"))
    if not host.startswith(LOOPBACK):
        problems.append(f"{name}: {service}: MANAGEMENT_HOST defaults to {host!r}: the management port"
                        " (/metrics, admin, publish API) must stay on loopback unless the operator opens it")
    # The management port answers only to the names it serves (Host check against DNS rebinding): a
    # scraper on the compose network asks for <service>:4000, so the service name must be one of them.
    served = [default_of(env.get("ADVERTISED_HOST", ""))] + default_of(env.get("MANAGEMENT_ALLOWED_HOSTS", "")).split(",")
    if service not in [h.strip().lower() for h in served]:
        problems.append(f"{name}: {service}: ADVERTISED_HOST or MANAGEMENT_ALLOWED_HOSTS must name the service,"
                        " or the management port refuses a scrape of " + service + ":<port> (421)")
    if default_of(env.get("ALLOWED_ORIGINS", "")).strip() == "*":
        problems.append(f"{name}: {service}: ALLOWED_ORIGINS must not allow every origin")
    if str(default_of(env.get("LOADTEST_HOOKS", "false"))).lower() == "true":
        problems.append(f"{name}: {service}: LOADTEST_HOOKS must never be on in a deployment")
    for key in ("JWT_SECRET", "ADMIN_API_KEY", "PUBLISH_API_KEY", "REDIS_SENTINEL_PASSWORD"):
        if key in env and not re.fullmatch(r"\$\{[A-Z_]+:\?[^}]*}", str(env[key]).strip()):
            problems.append(f"{name}: {service}: {key} must come from a required variable (${{NAME:?...}}),"
                            " never a default written in the file")


def command_text(spec):
    parts = []
    for key in ("entrypoint", "command"):
        value = spec.get(key)
        parts.extend(value if isinstance(value, list) else [value] if value else [])
    return [str(p) for p in parts]


def check_redis_auth(name, service, spec, required):
    args = command_text(spec)
    text = " ".join(args)
    if "redis-server" not in text:
        return
    if re.search(r"protected-mode\W+no\b", text):
        problems.append(f"{name}: {service}: redis-server with protected mode off")
    if "nopass" in args or re.search(r"\bnopass\b", text):
        problems.append(f"{name}: {service}: a Redis user without password (nopass)")
    default_off = any(args[i:i + 3] == ["--user", "default", "off"] for i in range(len(args)))
    passwords = [args[i + 1] for i, a in enumerate(args[:-1]) if a == "--requirepass"]
    secured = default_off or any(re.fullmatch(r"\$\{([A-Z_]+)[^}]*}", p) and
                                 re.fullmatch(r"\$\{([A-Z_]+)[^}]*}", p).group(1) in required for p in passwords)
    if "--sentinel" in text:
        # The sentinel's config is written by the entrypoint: its own requirepass, from a required variable.
        env = spec.get("environment") or {}
        secured = "requirepass" in text and any(
            re.fullmatch(r"\$\{([A-Z_]+):\?[^}]*}", str(v)) for k, v in env.items() if "SENTINEL" in k)
    if not secured:
        problems.append(f"{name}: {service}: redis-server answers without a password (set the default user off,"
                        " or --requirepass from a required variable)")


def check_dockerfile(path):
    lines = [l.strip() for l in path.read_text().splitlines() if l.strip() and not l.strip().startswith("#")]
    final = lines[max(i for i, l in enumerate(lines) if l.upper().startswith("FROM ")):]
    users = [l.split(None, 1)[1].strip() for l in final if l.upper().startswith("USER ")]
    if not users or users[-1] in ("root", "0", "0:0"):
        problems.append(f"{path.name}: the node must run as a non-root USER")
    env = {}
    for l in final:
        if l.upper().startswith("ENV "):
            for k, v in re.findall(r"([A-Z_]+)=(\S+)", l[4:]):
                env[k] = v.strip('"')
    if env.get("AUTH_REQUIRED", "false").lower() != "true":
        problems.append(f"{path.name}: ENV AUTH_REQUIRED=true missing: the image must refuse anonymous sockets"
                        " unless the operator turns it off")
    if not env.get("MANAGEMENT_HOST", "127.0.0.1").startswith(LOOPBACK):
        problems.append(f"{path.name}: MANAGEMENT_HOST must stay on loopback by default")
    if env.get("LOADTEST_HOOKS", "false").lower() == "true":
        problems.append(f"{path.name}: LOADTEST_HOOKS must never be on")
    for l in final:
        if l.upper().startswith("EXPOSE ") and any(p.split("/")[0] != "3000" for p in l.split()[1:]):
            problems.append(f"{path.name}: only the public port 3000 may be exposed, not the management port: {l}")


files = sorted(DOCKER.glob("compose*.yaml"))
if not files:
    problems.append("no docker/compose*.yaml found")
for f in files:
    check(f)
check_dockerfile(DOCKER / "Dockerfile")
if problems:
    print("\n".join("compose check: " + p for p in problems), file=sys.stderr)
    sys.exit(1)
print(f"compose check: {len(files)} files parse; services, build files, mounts, variables and REDIS_URL schemes are consistent;"
      " nodes require tokens, management on loopback, every Redis wants a password; the Dockerfile too"
      " (not run: no Docker engine here)")
