#!/usr/bin/env bash
# redis-cluster.sh start|stop|addrs|status
#
# Runs a 3-master Redis Cluster on loopback for the tests and benchmarks, with
# the installed redis-server and redis-cli. No persistence, no replicas.
#
#   CHURN_CLUSTER_PORTS  space or comma separated ports (default "7101 7102 7103")
#   CHURN_CLUSTER_DIR    working directory (default /tmp/churn-redis-cluster)
#
# start is idempotent: a cluster already answering cluster_state:ok on every
# port is kept. addrs prints the comma-separated addresses. stop shuts the
# nodes down and removes their state, so the next start creates a fresh cluster.
set -euo pipefail

ports=${CHURN_CLUSTER_PORTS:-"7101 7102 7103"}
ports=${ports//,/ }
read -r -a ports <<<"$ports"
dir=${CHURN_CLUSTER_DIR:-/tmp/churn-redis-cluster}
host=127.0.0.1

addrs() {
	local out="" p
	for p in "${ports[@]}"; do out+="${out:+,}$host:$p"; done
	echo "$out"
}

cli() { redis-cli -h "$host" -p "$1" "${@:2}"; }

healthy() { # every node answers and says cluster_state:ok
	local p
	for p in "${ports[@]}"; do
		cli "$p" cluster info 2>/dev/null | grep -q '^cluster_state:ok' || return 1
	done
}

wait_ok() {
	local i
	for i in $(seq 1 100); do
		if healthy; then return 0; fi
		sleep 0.1
	done
	echo "redis-cluster: cluster_state is not ok on $(addrs) after 10s" >&2
	return 1
}

start() {
	if healthy; then
		addrs
		return 0
	fi
	command -v redis-server >/dev/null || { echo "redis-cluster: redis-server is not installed" >&2; exit 1; }
	# Whatever is half-running on our ports is ours from an earlier run: restart clean.
	stop >/dev/null 2>&1 || true
	local p i
	for p in "${ports[@]}"; do
		mkdir -p "$dir/$p"
		rm -f "$dir/$p/nodes.conf"
		redis-server --port "$p" --bind "$host" --cluster-enabled yes \
			--cluster-config-file "$dir/$p/nodes.conf" --cluster-node-timeout 5000 \
			--save '' --appendonly no --dir "$dir/$p" --daemonize yes \
			--pidfile "$dir/$p/redis.pid" --logfile "$dir/$p/redis.log" 9>&- # the lock must not outlive us
	done
	for p in "${ports[@]}"; do
		for i in $(seq 1 50); do
			if cli "$p" ping >/dev/null 2>&1; then break; fi
			if [ "$i" = 50 ]; then echo "redis-cluster: node $p did not start (see $dir/$p/redis.log)" >&2; exit 1; fi
			sleep 0.1
		done
	done
	local nodes=()
	for p in "${ports[@]}"; do nodes+=("$host:$p"); done
	redis-cli --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes >"$dir/create.log" 2>&1 ||
		{ cat "$dir/create.log" >&2; exit 1; }
	wait_ok
	addrs
}

stop() {
	local p
	for p in "${ports[@]}"; do
		cli "$p" shutdown nosave >/dev/null 2>&1 || true
	done
	for p in "${ports[@]}"; do
		for _ in $(seq 1 50); do
			cli "$p" ping >/dev/null 2>&1 || break
			sleep 0.1
		done
		rm -rf "${dir:?}/$p"
	done
}

lock() { # serialize concurrent start/stop (go test runs packages in parallel)
	if command -v flock >/dev/null; then
		exec 9>"$dir.start.lock"
		flock -w 60 9 || { echo "redis-cluster: $dir.start.lock held for 60s" >&2; exit 1; }
	fi
}

case "${1:-}" in
start) if healthy; then addrs; else lock; start; fi ;;
stop) lock; stop ;;
addrs) addrs ;;
status) if healthy; then echo "ok $(addrs)"; else echo "down"; exit 1; fi ;;
*) echo "usage: $0 start|stop|addrs|status" >&2; exit 2 ;;
esac
