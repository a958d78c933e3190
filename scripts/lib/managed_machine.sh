# Sourced by scripts that run an app built without the demo sandbox (it takes nothing from the
# environment): a sandbox on loopback stands in for Huma, and the machine's IT policy file names it,
# as a hospital's would. Needs root for /etc (sudo otherwise). The caller sets `work` (a private
# temporary folder) and calls `managed_machine_cleanup` on exit.

SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
POLICY_DIR=/etc/huma-clinician
POLICY_FILE=$POLICY_DIR/policy.json
sandbox_pid=""

# Starts the debug build's `huma-sandbox` with the given options; sets `sandbox_pid` and `backend`.
start_sandbox() {
  target/debug/huma-sandbox --port 0 "$@" >"$work/sandbox.out" 2>&1 &
  sandbox_pid=$!
  # Seeding a large database first can take a minute.
  for _ in $(seq 1 1200); do
    grep -q "listening on" "$work/sandbox.out" && break
    kill -0 "$sandbox_pid" 2>/dev/null || break
    sleep 0.1
  done
  backend=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$work/sandbox.out" | head -n1)
  [ -n "$backend" ] || { cat "$work/sandbox.out" >&2; echo "the sandbox did not start" >&2; exit 1; }
}

# Writes the machine policy (JSON on stdin), keeping a policy file that was there before.
write_machine_policy() {
  [ -f "$POLICY_FILE" ] && cp "$POLICY_FILE" "$work/policy.json.before"
  $SUDO mkdir -p "$POLICY_DIR"
  $SUDO tee "$POLICY_FILE" >/dev/null
}

# Stops the sandbox and puts the machine policy back as it was.
managed_machine_cleanup() {
  [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null && wait "$sandbox_pid" 2>/dev/null
  if [ -f "$work/policy.json.before" ]; then
    $SUDO cp "$work/policy.json.before" "$POLICY_FILE"
  else
    $SUDO rm -f "$POLICY_FILE"
    $SUDO rmdir "$POLICY_DIR" 2>/dev/null
  fi
  return 0
}
