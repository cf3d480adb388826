# Loaded by every bats file: assertions and the repository paths the tests use.
bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
ROOT=${ZKM31_ROOT:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
DATA="$ROOT/tests/data"
SHARED="$ROOT/../shared/models"
# gkr-prove caches model commitments under $XDG_CACHE_HOME: keep the tests out of the real ~/.cache.
export XDG_CACHE_HOME="${BATS_RUN_TMPDIR:-${TMPDIR:-/tmp}}/xdg-cache"
