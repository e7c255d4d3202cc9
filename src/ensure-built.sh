# Sourced by ./build.sh and ./nexus: builds what they start (src/Run.proj: the server, the CLI and the quickstart,
# in one `dotnet build`) when a build is missing or older than its sources, so a second start is immediate.
# The check is a stamp written by the last successful build: cheap (one `find`), and right even when a build
# leaves an unchanged dll untouched (deterministic builds do).

# nexus_ensure_built ROOT CONFIGURATION: ROOT is the repository, CONFIGURATION Debug or Release.
# Two starts at once (./build.sh run and a first ./nexus) build one after the other, never together: the second
# waits on a lock (flock, where there is one) and then finds the build done.
nexus_ensure_built() {
  local root="$1" configuration="$2"
  nexus_stale "$root" "$configuration" || return 0
  mkdir -p "$root/src/obj"
  if ! command -v flock >/dev/null; then
    nexus_build_run_proj "$root" "$configuration"
    return
  fi
  local lock status=0
  exec {lock}>"$root/src/obj/run-$configuration.lock"
  flock "$lock"
  if nexus_stale "$root" "$configuration"; then
    # The build must not inherit the lock: MSBuild and compiler servers it starts outlive it by minutes.
    nexus_build_run_proj "$root" "$configuration" {lock}>&- || status=$?
  fi
  exec {lock}>&-   # closed before the caller execs the program, which must not hold it either
  return $status
}

nexus_build_run_proj() {
  echo "Building the Nexus server, CLI and quickstart ($2)…" >&2
  nexus_stamped_build "$1" "$2" dotnet build "$1/src/Run.proj" -c "$2" -nologo -v quiet -clp:NoSummary >&2
}

# nexus_stale ROOT CONFIGURATION: true when a build is missing or older than a source.
nexus_stale() {
  local root="$1" configuration="$2"
  local stamp="$root/src/obj/run-$configuration.stamp"
  local dlls=(
    "$root/src/Nexus.Server/bin/$configuration/net10.0/Nexus.Server.dll"
    "$root/src/Nexus.Cli/bin/$configuration/net10.0/Nexus.Cli.dll"
    "$root/examples/Quickstart/bin/$configuration/net10.0/Quickstart.dll"
  )
  local stale= dll
  [[ -f "$stamp" ]] || stale=1
  for dll in "${dlls[@]}"; do [[ -f "$dll" ]] || stale=1; done
  if [[ -z "$stale" ]]; then
    # Any source of what is started, or of what it references, newer than the last build.
    [[ -n "$(find "$root/src" "$root/bench/Nexus.Bench" "$root/examples/Quickstart" \
        "$root/Directory.Build.props" "$root/Directory.Packages.props" "$root/global.json" \
        \( -name '*.cs' -o -name '*.csproj' -o -name '*.proj' -o -name '*.props' -o -name '*.sql' -o -name 'appsettings*.json' \) \
        -newer "$stamp" -not -path '*/obj/*' -not -path '*/bin/*' -print -quit)" ]] && stale=1
  fi
  [[ -n "$stale" ]]
}

# nexus_stamped_build ROOT CONFIGURATION COMMAND…: runs a build command that builds src/Run.proj's projects (that
# one, or the whole solution) and, when it succeeds, records it for nexus_ensure_built. The stamp gets the time the
# build started: a source saved during the build makes the next start build again.
nexus_stamped_build() {
  local root="$1" configuration="$2"
  shift 2
  local stamp="$root/src/obj/run-$configuration.stamp"
  mkdir -p "$root/src/obj"
  local started="$stamp.$$"
  touch "$started"
  if "$@"; then
    mv -f "$started" "$stamp"
  else
    local status=$?
    rm -f "$started"
    return $status
  fi
}
