#!/bin/bash
# Old and new builds alternately on copies of one database: the issue 19
# figures in BENCHMARKS.md. Usage:
#   OLD=./parley-old NEW=./parley-new DB=big.db cmd/parley-load/compare.sh
# (DB from `parley demo --generate 1000000 --db big.db`; needs bc and script.)
set -u
: "${OLD:?path of the old parley build}" "${NEW:?path of the new parley build}" "${DB:?a generated database}"
ROUNDS=${ROUNDS:-2}
dir=$(mktemp -d)
go build -o "$dir/parley-load" "$(dirname "$0")"
L="$dir/parley-load"
cp "$DB" "$dir/old.db"; cp "$DB" "$dir/new.db"
(cd "$dir" && "$L" -authorized-keys keys -sessions 50 >/dev/null)
run_server() { # name binary db port sessions browse
  local name=$1 bin=$2 db=$3 port=$4
  "$bin" serve --demo --db "$db" --rate 60 --listen 127.0.0.1:$port --authorized-keys "$dir/keys" > "$dir/serve-$name.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 600); do grep -q serving "$dir/serve-$name.log" && break; sleep 1; done
  echo "== $name sessions=$5 browse=$6 $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
  "$L" -addr 127.0.0.1:$port -pid $pid -sessions "$5" -browse "$6" -warmup 5s -measure 20s
  kill $pid; wait $pid 2>/dev/null
}
local_idle() { # name binary db
  local name=$1 bin=$2 db=$3
  (sleep 60 | script -qfc "stty cols 160 rows 48; $bin demo --db $db --rate 60" /dev/null > "$dir/local-$name.out" 2>&1 &)
  sleep 2
  local pid; pid=$(pgrep -f "$bin demo --db $db" -n)
  sleep 15
  local a b; a=$(awk '{print $14+$15}' /proc/$pid/stat); sleep 30; b=$(awk '{print $14+$15}' /proc/$pid/stat)
  echo "== local $name idle, 30 s: $((b - a)) ticks = $(echo "scale=1; ($b - $a) / 30" | bc) % of a core; $(grep VmRSS /proc/$pid/status)"
  kill $pid 2>/dev/null; sleep 14
}
for _ in $(seq 1 "$ROUNDS"); do
  run_server old "$OLD" "$dir/old.db" 2401 0,1,10,50 0.2
  run_server new "$NEW" "$dir/new.db" 2402 0,1,10,50 0.2
  run_server old "$OLD" "$dir/old.db" 2401 50 0
  run_server new "$NEW" "$dir/new.db" 2402 50 0
done
local_idle old "$OLD" "$dir/old.db"
local_idle new "$NEW" "$dir/new.db"
rm -rf "$dir"
