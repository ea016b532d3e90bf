#!/usr/bin/env bash
# The browser tests drive Debian's Chromium. Install it when we can (root with apt);
# otherwise say that the browser tests will be skipped.
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Chromium for the browser tests…"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "Chromium is not installed (sudo apt-get install chromium): browser tests will be skipped."
fi
exit 0
