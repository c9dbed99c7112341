# weld --help, weld help CMD and weld CMD --help describe every subcommand.
. "$WELD_ROOT/tests/tap.sh"
expect_ok "weld --help exits 0" "$WELD" --help
cmds=$("$WELD" --help | awk '/^commands:/{on=1;next} on && /^  [a-z]/{print $1}')
[ -n "$cmds" ] && ok "weld --help lists commands" || fail "weld --help lists commands"
for c in $cmds; do
  [ "$c" = help ] && continue
  if "$WELD" help "$c" | grep -q "usage: weld $c" && "$WELD" "$c" --help | grep -q "usage: weld $c"; then
    ok "help for $c"
  else
    fail "help for $c"
  fi
done
expect_fail "unknown command is an error" "unknown command" "$WELD" frobnicate
tap_done
