#!/usr/bin/env bash
# Runs COMMAND inside a throw-away Secret Service (gnome-keyring on its own D-Bus session bus, with its own HOME),
# so keychain tests use a real keyring and never the user's. Exports CLOWDOPS_TEST_KEYRING=1 when it worked.
#
#   scripts/with-keyring.sh COMMAND [ARG...]     e.g. scripts/with-keyring.sh vitest run
#
# Without dbus-run-session or gnome-keyring-daemon it says so on one line and runs COMMAND as is; the tests decide.
set -euo pipefail

if [[ $# -eq 0 ]]; then
  echo "usage: $0 COMMAND [ARG...]" >&2
  exit 2
fi

repo_root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
# npm puts node_modules/.bin on PATH for `npm test`; do the same when called by hand.
if [[ -d "$repo_root/node_modules/.bin" ]]; then
  export PATH="$repo_root/node_modules/.bin:$PATH"
fi

install_hint='apt-get install -y gnome-keyring dbus libsecret-1-0'

missing=()
for tool in dbus-run-session dbus-daemon gnome-keyring-daemon; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "with-keyring: ${missing[*]} not found; running without a test keyring (install: $install_hint)" >&2
  unset CLOWDOPS_TEST_KEYRING
  exec "$@"
fi

keyring_root=$(mktemp -d "${TMPDIR:-/tmp}/clowdops-keyring.XXXXXX")
daemon_pid_file="$keyring_root/runtime/daemon.pid"
session_marker="$keyring_root/runtime/session-started"

cleanup() {
  # A session that ends while the daemon is still starting can leave it running; stop the one this run started.
  local pid
  pid=$(cat -- "$daemon_pid_file" 2>/dev/null || true)
  if [[ $pid =~ ^[0-9]+$ ]] && grep -qa 'gnome-keyring-daemon' "/proc/$pid/cmdline" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
  fi
  # It writes its keyring files on the way out (also when it quits by itself as the bus goes): let it finish first.
  if [[ $pid =~ ^[0-9]+$ ]]; then
    for _ in $(seq 50); do
      grep -qa 'gnome-keyring-daemon' "/proc/$pid/cmdline" 2>/dev/null || break
      sleep 0.1
    done
  fi
  rm -rf -- "$keyring_root"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Given to dbus-run-session, not exported here: the bus daemon passes its environment to anything it D-Bus-activates,
# so even a re-activated gnome-keyring lands in this HOME, never the real one. COMMAND sees it too.
mkdir -p -m 700 "$keyring_root/home" "$keyring_root/data" "$keyring_root/config" "$keyring_root/cache" \
  "$keyring_root/runtime"
session_env=(
  HOME="$keyring_root/home"
  XDG_DATA_HOME="$keyring_root/data"
  XDG_CONFIG_HOME="$keyring_root/config"
  XDG_CACHE_HOME="$keyring_root/cache"
  XDG_RUNTIME_DIR="$keyring_root/runtime"
)
# Never talk to, or replace, a keyring daemon of the user's own session.
unset GNOME_KEYRING_CONTROL GNOME_KEYRING_PID CLOWDOPS_TEST_KEYRING

# The inner stage runs on the new session bus: start and unlock the daemon, export what it prints, exec COMMAND.
inner=$(cat <<'INNER'
set -uo pipefail
: >"$XDG_RUNTIME_DIR/session-started"
# The password only protects a keyring that is deleted afterwards; it is not a secret.
if started=$(printf '%s' 'clowdops-test-keyring' \
    | gnome-keyring-daemon --unlock --daemonize --components=secrets 2>"$XDG_RUNTIME_DIR/daemon.log"); then
  # It prints NAME=value lines (GNOME_KEYRING_CONTROL=...): the `eval` of the usual recipe, limited to assignments.
  while IFS= read -r line; do
    if [[ $line =~ ^[A-Za-z_][A-Za-z0-9_]*= ]]; then export "$line"; fi
  done <<<"$started"
  # It takes the bus name a moment after --daemonize returns. Wait for it: a client that came first would have
  # D-Bus activate a second, locked daemon. Its pid is for the outer cleanup (--daemonize does not print it).
  for _ in $(seq 50); do
    if owner=$(dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets 2>/dev/null); then
      echo "${owner##* }" >"$XDG_RUNTIME_DIR/daemon.pid"
      break
    fi
    sleep 0.1
  done
  if [[ -s $XDG_RUNTIME_DIR/daemon.pid ]]; then
    export CLOWDOPS_TEST_KEYRING=1
  else
    echo "with-keyring: gnome-keyring-daemon started but did not take org.freedesktop.secrets within 5 s;" \
      "running without a test keyring" >&2
    unset CLOWDOPS_TEST_KEYRING
  fi
else
  echo "with-keyring: gnome-keyring-daemon failed to start ($(tr '\n' ' ' <"$XDG_RUNTIME_DIR/daemon.log"));" \
    "running without a test keyring (install: apt-get install -y gnome-keyring dbus libsecret-1-0)" >&2
  unset CLOWDOPS_TEST_KEYRING
fi
exec "$@"
INNER
)

# Not exec: the trap must clean up once the session is over. dbus-run-session exits with COMMAND's status.
status=0
env "${session_env[@]}" dbus-run-session -- bash -c "$inner" with-keyring-session "$@" || status=$?
if [[ ! -e $session_marker ]]; then
  # The session never started (dbus-run-session said why above), so COMMAND has not run yet.
  echo "with-keyring: dbus-run-session could not start a D-Bus session; running without a test keyring" \
    "(install: $install_hint)" >&2
  status=0
  "$@" || status=$?
fi
exit "$status"
