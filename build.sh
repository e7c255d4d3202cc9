#!/usr/bin/env bash
# The one entry script. Read `./build.sh help`.
set -euo pipefail
cd "$(dirname "$0")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# shellcheck source=src/ensure-built.sh
source src/ensure-built.sh

usage() {
  cat <<'TXT'
Nexus build script.

  ./build.sh run      Run the Nexus server and its dashboard on http://127.0.0.1:5080: SQLite at ./data/nexus.db, the sample plugins
                      (outputs under ./generated), development mode (--dev: anonymous requests from this machine
                      only). Extra arguments go to the server, e.g. ./build.sh run --store postgres --postgres "Host=…".
                      API reference: http://127.0.0.1:5080/docs
                      Builds the server and the nexus CLI (Release; CONFIGURATION=Debug for a debug build) in one
                      build when they are missing or older than their sources, then replaces itself with the server
                      process: one SIGTERM or Ctrl+C stops it.
  ./build.sh quickstart  Run examples/Quickstart: the engine in-process, a few tasks, what happens printed.
  ./build.sh test     Build everything and run every test (SQLite, a throwaway PostgreSQL started from the
                      installed server binaries, engine, plugins). Set NEXUS_TEST_POSTGRES to use your own server.
  ./build.sh build    Build the solution (warnings are errors).
  ./build.sh bench    Run the benchmark (bench/Nexus.Bench, Release) on SQLite and a throwaway durable PostgreSQL;
                      extra arguments go to the harness, e.g. --store sqlite --workloads w1,w3 --w1-tasks 20000.
  ./build.sh setup    Install what a fresh machine lacks via apt-get: PostgreSQL 15 server binaries, promtool, and Debian's
                      chromium for the dashboard's browser tests (NEXUS_CHROMIUM may name another Chromium binary instead).
  ./build.sh help     This text.
TXT
}

setup() {
  if [[ -z "${NEXUS_TEST_POSTGRES:-}" && ! -x /usr/lib/postgresql/15/bin/postgres ]]; then
    echo "PostgreSQL 15 server binaries are missing; installing postgresql-15 with apt-get." >&2
    if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; else SUDO=; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql-15 >/dev/null
  fi
  # promtool (Debian's prometheus package) checks and unit-tests the alert rules of deploy/ in the server tests.
  if ! command -v promtool >/dev/null; then
    echo "promtool is missing; installing Debian's prometheus package with apt-get (its service is not started)." >&2
    if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; else SUDO=; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  fi
  # The dashboard's browser tests drive Debian's Chromium through Playwright (which cannot download a browser here).
  if [[ -z "${NEXUS_CHROMIUM:-}" && ! -x /usr/bin/chromium ]]; then
    echo "Chromium is missing (the dashboard's browser tests need it); installing chromium with apt-get." >&2
    if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; else SUDO=; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
  fi
  command -v dotnet >/dev/null || { echo "The .NET 10 SDK is required (https://dot.net)." >&2; exit 1; }
}

build() {
  nexus_stamped_build "$PWD" "${CONFIGURATION:-Debug}" dotnet build Nexus.slnx -c "${CONFIGURATION:-Debug}" -nologo -v minimal
}

run_tests() {
  setup
  build
  mkdir -p .test-logs
  local log=.test-logs/test.log status=0
  # One assembly at a time keeps a 2-core machine responsive; each assembly runs its classes in parallel.
  dotnet test Nexus.slnx -c "${CONFIGURATION:-Debug}" --no-build -nologo -m:1 "$@" 2>&1 | tee "$log" || status=$?
  # A plain closing line any CI can read: totals over every test assembly.
  awk '
    /(Passed|Failed)! *- *Failed: / {
      for (i = 1; i <= NF; i++) {
        if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1)
      }
      n++
    }
    END { gsub(",", "", f); printf "tests: %d passed, %d failed, %d skipped\n", p, f, s; if (n == 0) exit 1 }
  ' "$log" | tee -a "$log" || { echo "No test results were found in the output." >&2; status=1; }
  return $status
}

bench() {
  setup
  dotnet build bench/Nexus.Bench -c Release -nologo -v quiet
  local pg
  pg=$(bench/postgres.sh start)
  trap 'bench/postgres.sh stop' EXIT
  mkdir -p bench/results
  NEXUS_BENCH_POSTGRES="$pg" dotnet run --no-build -c Release --project bench/Nexus.Bench -- --out bench/results/results.jsonl "$@"
}

# Builds if needed, then execs the built program: the shell is replaced, so a signal sent to this script's pid (a
# service manager's SIGTERM, a script's kill) reaches the program itself, and nothing is left holding the port.
start() {
  local dll="$1"
  shift
  nexus_ensure_built "$PWD" "$configuration"
  exec dotnet "$dll" "$@"
}

# What users start runs optimised code: Release unless $CONFIGURATION says otherwise (build and test default to Debug).
configuration="${CONFIGURATION:-Release}"
case "${1:-help}" in
  run) shift; start "src/Nexus.Server/bin/$configuration/net10.0/Nexus.Server.dll" --dev "$@" ;;
  quickstart) shift; start "examples/Quickstart/bin/$configuration/net10.0/Quickstart.dll" "$@" ;;
  test) shift; run_tests "$@" ;;
  build) build ;;
  bench) shift; bench "$@" ;;
  setup) setup ;;
  help|-h|--help) usage ;;
  *) echo "Unknown command '$1'." >&2; usage >&2; exit 2 ;;
esac
