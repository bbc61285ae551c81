#!/usr/bin/env bash
# Builds the solution and runs every test project, then prints one closing line "N passed, N failed".
# Exits non-zero when a test fails, the build fails or a test host crashes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

configuration="${CONFIGURATION:-Release}"

# The tests need the .NET 10 SDK (pinned in global.json). Install it with apt where a source offers it;
# Debian's own archive does not, so on a bare machine this says what is missing and stops.
require_dotnet() {
    if command -v dotnet >/dev/null 2>&1 && dotnet --list-sdks | grep -q '^10\.'; then
        return
    fi
    if command -v apt-get >/dev/null 2>&1 && apt-get update -qq && apt-cache policy dotnet-sdk-10.0 2>/dev/null | grep -q 'Candidate: [0-9]'; then
        apt-get install -y dotnet-sdk-10.0
        return
    fi
    echo "test.sh: the .NET 10 SDK is required (see global.json) and no apt source offers dotnet-sdk-10.0" >&2
    exit 1
}

# The Redis store's tests start their own redis-server child processes (they cannot install it themselves).
require_redis() {
    if command -v redis-server >/dev/null 2>&1; then
        return
    fi
    apt-get update -qq && apt-get install -y -qq redis-server
}

# The deploy tests validate the manifests with npm packages run by node, and prometheus.yml with promtool; the Azure
# grain storage tests install the Azurite emulator with npm (pinned, cached per machine) and run it with node. promtool
# and prometheus (the process tests start one on a loopback port to scrape a silo) are taken out of Debian's prometheus
# package without installing it, which on a machine with an init system would also start a Prometheus server on every
# interface.
require_deploy_tools() {
    local missing=()
    command -v node >/dev/null 2>&1 || missing+=(nodejs)
    command -v npm >/dev/null 2>&1 || missing+=(npm)
    if [ "${#missing[@]}" -gt 0 ]; then
        apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"
    fi

    if command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1; then
        return
    fi
    local tools="${HOME}/.cache/loire/promtool"
    if [ ! -x "${tools}/usr/bin/promtool" ] || [ ! -x "${tools}/usr/bin/prometheus" ]; then
        mkdir -p "${tools}"
        apt-get update -qq
        (cd "${tools}" && apt-get download -qq prometheus 2>/dev/null && dpkg-deb -x prometheus_*.deb . && rm -f prometheus_*.deb)
    fi
    export PATH="${tools}/usr/bin:${PATH}"
}

# The web console's tests drive Debian's headless Chromium through chromium-driver (Selenium); on CI they must run.
require_browser() {
    if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
        return
    fi
    apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium chromium-driver
}

# The AMQP process tests run a Qpid Proton client: a Python script on Debian's python3 with python3-qpid-proton.
require_proton() {
    if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import proton' >/dev/null 2>&1; then
        return
    fi
    apt-get update -qq && apt-get install -y -qq --no-install-recommends python3-qpid-proton
}

require_dotnet
require_redis
require_deploy_tools
require_browser
require_proton
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

log="$(mktemp)"
trap 'rm -f "$log"' EXIT

build_status=0
dotnet build Orleans.sln -c "$configuration" -tl:off -nologo || build_status=$?

test_status=0
if [ "$build_status" -eq 0 ]; then
    # One test project at a time: the process tests start real silos, which should not race
    # TestingHost clusters for the machine's two cores.
    # With pipefail the pipeline fails with dotnet test's status, not tee's.
    dotnet test Orleans.sln -c "$configuration" --no-build -m:1 -tl:off -nologo 2>&1 | tee "$log" || test_status=$?
fi

# vstest prints one summary per test project: "Passed!  - Failed:     0, Passed:    12, Skipped: ..."
passed=0
failed=0
while read -r line; do
    p="$(sed -nE 's/.*Passed: *([0-9]+).*/\1/p' <<<"$line")"
    f="$(sed -nE 's/.*Failed: *([0-9]+), Passed.*/\1/p' <<<"$line")"
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
done < <(grep -E '^(Passed|Failed)! +- Failed: ' "$log" || true)

if [ "$build_status" -ne 0 ] || [ "$test_status" -ne 0 ]; then
    # Repeat each failed test's name and message last, where a truncated CI log still shows them.
    grep -E -A6 '^ +Failed [A-Za-z_.]+ \[' "$log" | cut -c1-400 || true
    if [ "$failed" -eq 0 ]; then
        # Nothing failed by name, yet the run did: a build error or a crashed test host. Count it.
        echo "test.sh: the build or a test host failed outside any test (exit ${build_status}/${test_status}); counted as 1 failure"
        failed=1
    fi
    echo "${passed} passed, ${failed} failed"
    exit 1
fi

echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
