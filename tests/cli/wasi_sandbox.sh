# The WASI sandbox: a program granted one directory (--dir) reaches nothing else of the
# host file system: `..`, absolute paths and symbolic links leading out fail, links that
# stay inside work. fixtures/wasi/sandbox.c performs the operations and prints the result.
. "$WELD_ROOT/tests/tap.sh"
P="$WELD_ROOT/fixtures/wasi/sandbox.wasm"
mkdir -p "$T/box/sub" "$T/outside"
echo "the secret" > "$T/secret.txt"
echo "kept inside" > "$T/box/keep.txt"
echo "in sub" > "$T/box/sub/file.txt"
ln -s ../ "$T/box/up"
ln -s /etc "$T/box/abs"
ln -s loop "$T/box/loop"
ln -s sub "$T/box/in"
ln -s ../keep.txt "$T/box/sub/back"
ln -s ../../secret.txt "$T/box/sub/out"
ln -s "$T/secret.txt" "$T/box/absfile"
ln -s ../outside "$T/box/outdir"

# probe DESC EXPECTED OPERATION PATH...: runs one operation, its line must be EXPECTED
probe() {
  desc=$1 want=$2; shift 2
  out=$(cd "$T" && "$WELD" run --dir box "$P" "$@" 2>&1)
  if [ "$out" = "$want" ]; then ok "$desc"; else fail "$desc" "expected: $want
got: $out"; fi
}

probe "'..' out of the preopen is refused" "open box/../secret.txt: ENOTCAPABLE" open box/../secret.txt
probe "'..' after descending still cannot leave" "open box/sub/../../secret.txt: ENOTCAPABLE" open box/sub/../../secret.txt
probe "'..' that stays inside works" 'open box/sub/../keep.txt: ok "kept inside"' open box/sub/../keep.txt
probe "'.' components are ignored" 'open box/./sub/./file.txt: ok "in sub"' open box/./sub/./file.txt
probe "an absolute host path is unreachable" "open /etc/passwd: ENOTCAPABLE" open /etc/passwd
probe "a symlink to '..' cannot be followed out" "open box/up/secret.txt: ENOTCAPABLE" open box/up/secret.txt
probe "a symlink to an absolute directory is refused" "open box/abs/passwd: ENOTCAPABLE" open box/abs/passwd
probe "a symlink to an absolute file is refused" "open box/absfile: ENOTCAPABLE" open box/absfile
probe "a symlink whose target climbs out is refused" "open box/sub/out: ENOTCAPABLE" open box/sub/out
probe "a symlink inside the preopen is followed" 'open box/sub/back: ok "kept inside"' open box/sub/back
probe "a symlinked directory inside is followed" 'open box/in/file.txt: ok "in sub"' open box/in/file.txt
probe "a symlink loop is ELOOP" "open box/loop: ELOOP" open box/loop
probe "lstat of an escaping link itself is allowed (it is inside)" "lstat box/up: ok" lstat box/up
probe "stat through an escaping link is refused" "stat box/up: ENOTCAPABLE" stat box/up
probe "readlink shows the link's text" 'readlink box/up: ok "../"' readlink box/up
probe "listing the parent is refused" "list box/..: ENOTCAPABLE" list box/..
probe "listing through a link out is refused" "list box/outdir: ENOTCAPABLE" list box/outdir
probe "creating a file through a link out is refused" "create box/outdir/new.txt: ENOTCAPABLE" create box/outdir/new.txt
probe "mkdir through '..' is refused" "mkdir box/../made: ENOTCAPABLE" mkdir box/../made
probe "mkdir through a link out is refused" "mkdir box/up/made: ENOTCAPABLE" mkdir box/up/made
probe "unlink through a link out is refused" "unlink box/up/secret.txt: ENOTCAPABLE" unlink box/up/secret.txt
probe "rename out of the preopen is refused" "rename box/keep.txt box/../stolen.txt: ENOTCAPABLE" rename box/keep.txt box/../stolen.txt
probe "rename in from outside is refused" "rename box/../secret.txt box/stolen.txt: ENOTCAPABLE" rename box/../secret.txt box/stolen.txt
probe "a hard link to an outside file is refused" "link box/../secret.txt box/hard: ENOTCAPABLE" link box/../secret.txt box/hard
probe "creating an absolute symlink is refused" "symlink /etc/passwd box/evil: ENOTCAPABLE" symlink /etc/passwd box/evil
probe "an ungranted sibling directory is unreachable" "list outside: ENOTCAPABLE" list outside
if [ -e "$T/made" ] || [ -e "$T/stolen.txt" ] || [ -e "$T/outside/new.txt" ] || [ -e "$T/box/hard" ] ||
   [ -e "$T/box/evil" ] || ! [ -f "$T/secret.txt" ] || ! [ -f "$T/box/keep.txt" ]; then
  fail "the refused operations changed nothing on the host" "$(cd "$T" && find . | sort)"
else ok "the refused operations changed nothing on the host"; fi

# a symlink swapped in for a directory after the program started is not followed out
out=$(cd "$T" && "$WELD" run --dir box "$P" mkdir box/later open box/later/secret.txt 2>&1)
[ "$out" = "$(printf 'mkdir box/later: ok\nopen box/later/secret.txt: ENOENT')" ] &&
  ok "operations in a freshly made directory stay inside" || fail "operations in a freshly made directory stay inside" "$out"
rmdir "$T/box/later" 2>/dev/null

# the guest name of a preopen: HOST::GUEST
out=$(cd "$T" && "$WELD" run --dir box::/data "$P" open /data/keep.txt open box/keep.txt 2>&1)
[ "$out" = "$(printf 'open /data/keep.txt: ok "kept inside"\nopen box/keep.txt: ENOTCAPABLE')" ] &&
  ok "--dir HOST::GUEST grants HOST under the name GUEST only" || fail "--dir HOST::GUEST grants HOST under the name GUEST only" "$out"
out=$(cd "$T/box" && "$WELD" run --dir . "$P" open keep.txt open ../secret.txt 2>&1)
[ "$out" = "$(printf 'open keep.txt: ok "kept inside"\nopen ../secret.txt: ENOTCAPABLE')" ] &&
  ok "--dir . grants the working directory and nothing above it" || fail "--dir . grants the working directory and nothing above it" "$out"
out=$(cd "$T" && "$WELD" run "$P" open box/keep.txt 2>&1)
[ "$out" = "open box/keep.txt: ENOTCAPABLE" ] && ok "without --dir no file is reachable" ||
  fail "without --dir no file is reachable" "$out"
expect_fail "--dir of a missing directory is a usage error" "cannot open directory" "$WELD" run --dir "$T/nope" "$P"
tap_done
