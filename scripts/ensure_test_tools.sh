#!/usr/bin/env bash
# The test suite needs Debian's Chromium (browser tests) and GNU gettext (the translation
# test re-extracts every message). Install what is missing when we can (root with apt);
# otherwise say which tests will be skipped (in CI, GDPA_REQUIRE_SERVICES=1 makes them fail).
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v xgettext >/dev/null 2>&1 || missing+=(gettext)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${missing[*]} for the test suite…"
  # Another apt run (a new machine's own updates) may hold dpkg's lock: wait for it.
  apt-get -o DPkg::Lock::Timeout=600 update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" >/dev/null
else
  for package in "${missing[@]}"; do
    case "$package" in
      chromium) echo "Chromium is not installed (sudo apt-get install chromium): browser tests will be skipped." ;;
      gettext) echo "GNU gettext is not installed (sudo apt-get install gettext): the catalogue coverage test will be skipped." ;;
    esac
  done
fi
exit 0
