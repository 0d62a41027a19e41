#!/usr/bin/env bash
# Runs one load-test scenario: ./load-tests/run.sh <broadcast|personal|idle|churn|ceiling|faults> [--option value ...]
# Builds the node and the generator first when their jars are missing. See load-tests/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f server/target/ws-server.jar || ! -f load-tests/target/load-tests.jar ]]; then
  mvn -q -B install -DskipTests -DskipITs
fi
# each socket is a file descriptor, in the generator and in the node: take the hard limit (20,000 here)
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [[ "${1:-}" == "faults" ]]; then
  shift
  exec java ${LOADTEST_JAVA_OPTS:--Xmx2g} -cp load-tests/target/load-tests.jar com.aegisx.ws.load.FaultSuite "$@"
fi
exec java ${LOADTEST_JAVA_OPTS:--Xmx2g} -cp load-tests/target/load-tests.jar com.aegisx.ws.load.LoadTest "$@"
