#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Host suite: the documentation (TAP on stdout, details on stderr).
#  - Documentation/admin-guide/zombiememcg.rst passes docutils with warnings
#    as errors, and builds with Sphinx -W (Debian's python3-sphinx, as the
#    kernel's `make htmldocs` would; installed if missing);
#  - it documents every /proc/zombiememcg column, debugfs file, stats line
#    and module parameter that the module's sources print or declare;
#  - the man page zombiememcgstat.8 formats without a groff warning;
#  - README.md's relative links point at files that exist.
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
cd "$repo" || exit 1

rst=Documentation/admin-guide/zombiememcg.rst
echo "1..6"
T=$(mktemp -d "${TMPDIR:-/tmp}/zmc-docs.XXXXXX")
trap 'rm -rf "$T"' EXIT

# Debian's python3 (not a pyenv or venv one): that is where the packages go.
py=/usr/bin/python3
want=()
[[ -x /usr/bin/rst2html ]] || want+=(python3-docutils)
[[ -x /usr/bin/sphinx-build ]] || want+=(python3-sphinx)
command -v groff >/dev/null 2>&1 || want+=(groff-base)
if ((${#want[@]})) && [[ $(id -u) == 0 ]]; then
	log "installing ${want[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${want[@]}" >&2 ||
		{ apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${want[@]}" >&2; }
fi

# 1: docutils, any warning fails.
if [[ ! -x /usr/bin/rst2html ]]; then
	tap not-ok "docutils: rst2html missing (apt-get install --no-install-recommends python3-docutils)"
elif /usr/bin/rst2html --strict --report=2 "$rst" "$T/docutils.html" 2>"$T/docutils.err"; then
	tap ok "docutils: $rst has no warning or error"
else
	tap not-ok "docutils: $rst has warnings or errors"
	sed 's/^/# /' "$T/docutils.err"
fi

# 2: Sphinx -W, in a scratch project holding the page as the kernel's
# Documentation/ tree would (admin-guide/), with the kernel's default role
# and highlighting (literal blocks are not highlighted unless asked).
if [[ ! -x /usr/bin/sphinx-build ]]; then
	tap not-ok "sphinx: sphinx-build missing (apt-get install --no-install-recommends python3-sphinx)"
else
	mkdir -p "$T/sphinx/admin-guide"
	cp "$rst" "$T/sphinx/admin-guide/"
	cat >"$T/sphinx/conf.py" <<-'EOF'
		project = 'zombiememcg'
		highlight_language = 'none'
		exclude_patterns = ['_build']
	EOF
	cat >"$T/sphinx/index.rst" <<-'EOF'
		zombiememcg
		===========

		.. toctree::

		   admin-guide/zombiememcg
	EOF
	if $py -m sphinx -W --keep-going -n -q -b html "$T/sphinx" "$T/sphinx/_build" >"$T/sphinx.log" 2>&1; then
		tap ok "sphinx-build -W -n: $rst builds cleanly ($(/usr/bin/sphinx-build --version 2>&1))"
	else
		tap not-ok "sphinx-build -W -n: $rst has warnings"
		sed 's/^/# /' "$T/sphinx.log"
	fi
fi

# 3: every interface the module's sources declare is documented as ``NAME``.
{
	# /proc/zombiememcg header line
	sed -nE 's/.*seq_puts\(m, "(MEMCG [A-Z ]+)\\n"\).*/\1/p' module/procfs.c | tr ' ' '\n'
	# debugfs files
	sed -nE 's/.*debugfs_create_[a-z0-9_]+\("([a-z0-9_]+)".*/\1/p' module/*.c
	# stats lines: "name value"
	sed -nE 's/.*seq_(printf|puts)\(m, "(\\n)?([a-z][a-z0-9_]*) .*/\3/p' module/debugfs.c
	# module parameters
	sed -nE 's/^[[:space:]]*module_param(_named)?\(([a-z0-9_]+),.*/\2/p' module/*.c
} | sort -u >"$T/names"
missing=()
while IFS= read -r name; do
	grep -qF "\`\`$name\`\`" "$rst" || missing+=("$name")
done <"$T/names"
if [[ ! -s $T/names ]]; then
	tap not-ok "documented interfaces: found no column, file, stat or parameter in module/ (parser out of date?)"
elif ((${#missing[@]} == 0)); then
	tap ok "documented: all $(wc -l <"$T/names") columns, debugfs files, stats and parameters ($(tr '\n' ' ' <"$T/names" | sed 's/ $//'))"
else
	tap not-ok "undocumented in $rst: ${missing[*]}"
fi

# 4: the sections the admin guide must have.
sections=("Why zombies cost memory" "Building and installing" "DKMS" "Loading" "/proc/zombiememcg"
	"debugfs" "Module parameters" "zombiememcgstat" "Freeing zombies" "Supported kernels" "Limitations")
absent=()
for s in "${sections[@]}"; do
	grep -qxF "$s" "$rst" || absent+=("$s")
done
if ((${#absent[@]} == 0)); then
	tap ok "admin guide has its ${#sections[@]} sections"
else
	tap not-ok "admin guide lacks section(s): ${absent[*]}"
fi

# 5: the man page, with groff's warnings on.
man=tools/zombiememcgstat.8
if ! command -v groff >/dev/null 2>&1; then
	tap not-ok "man page: groff missing (apt-get install --no-install-recommends groff-base)"
elif out=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$man" 2>&1) && [[ -z $out ]]; then
	tap ok "man page $man formats without a groff warning"
else
	tap not-ok "man page $man: groff -ww warnings"
	printf "# %s\n" "${out//$'\n'/$'\n# '}"
fi

# 6: README.md's relative links.
bad=()
while IFS= read -r link; do
	target=${link%%#*}
	[[ -z $target || $target == *://* || $target == mailto:* ]] && continue
	[[ -e $target ]] || bad+=("$link")
done < <(grep -oE '\]\([^)]+\)' README.md | sed -E 's/^\]\((.*)\)$/\1/')
if ((${#bad[@]} == 0)); then
	tap ok "README.md: every relative link points at a file of the repository"
else
	tap not-ok "README.md: broken link(s): ${bad[*]}"
fi
