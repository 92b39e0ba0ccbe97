#!/usr/bin/env bash
# A real single-node Apache Kafka 3.9 broker (KRaft, broker+controller) on 127.0.0.1 for the
# integration tests, assembled from Maven Central jars.
#
#   broker.sh fetch          resolve the jars into the cache (idempotent, fast when cached)
#   broker.sh start DIR      format a fresh broker in DIR on free ports, start it, wait until it
#                            answers metadata requests; writes DIR/env (BOOTSTRAP=host:port)
#   broker.sh stop DIR       stop it by PID (SIGTERM, then SIGKILL after 20 s)
#   broker.sh restart DIR    start the stopped broker in DIR again, same ports and data
#
# Cache: $WIRESCAN_KAFKA_CACHE (default ~/.cache/wirescan/kafka-<version>).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/pom.xml")
cache=${WIRESCAN_KAFKA_CACHE:-$HOME/.cache/wirescan/kafka-$version}

die() { echo "broker.sh: $*" >&2; exit 1; }

fetch() {
  if [[ -f $cache/.complete ]]; then return 0; fi
  command -v mvn >/dev/null || die "mvn not found (scripts/install-deps.sh installs maven)"
  mkdir -p "$cache"
  mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies -DoutputDirectory="$cache/libs" -DincludeScope=runtime \
    || die "could not resolve Kafka $version from Maven Central"
  ls "$cache/libs"/kafka_2.13-"$version".jar >/dev/null || die "kafka_2.13-$version.jar missing after resolution"
  touch "$cache/.complete"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

launch() {
  local dir=$1
  # Small heap and quick JIT: the broker shares 2 cores with the tests.
  nohup java -Xms256m -Xmx768m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -Dkafka.logs.dir="$dir/logs" -Dlog4j.configuration="file:$dir/log4j.properties" \
    -cp "$cache/libs/*" kafka.Kafka "$dir/server.properties" >"$dir/logs/stdout.log" 2>&1 &
  echo $! >"$dir/pid"
  wait_ready "$dir"
}

wait_ready() {
  local dir=$1 bootstrap
  bootstrap=$(sed -n 's/^BOOTSTRAP=//p' "$dir/env")
  for _ in $(seq 1 180); do
    if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
      tail -30 "$dir/logs/stdout.log" >&2
      die "broker exited during start-up (log: $dir/logs)"
    fi
    if kcat -b "$bootstrap" -L -m 2 >/dev/null 2>&1; then
      echo "broker.sh: Kafka $version ready at $bootstrap (pid $(cat "$dir/pid"))"
      return 0
    fi
    sleep 0.5
  done
  die "broker did not answer metadata requests within 90 s (log: $dir/logs)"
}

start() {
  local dir=$1
  fetch
  mkdir -p "$dir/logs" "$dir/data"
  local port ctl
  port=$(free_port)
  ctl=$(free_port)
  while [[ $ctl == "$port" ]]; do ctl=$(free_port); done
  cat >"$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$ctl
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$ctl
advertised.listeners=PLAINTEXT://127.0.0.1:$port
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
group.initial.rebalance.delay.ms=0
log.flush.interval.messages=9223372036854775807
PROPS
  cat >"$dir/log4j.properties" <<'PROPS'
log4j.rootLogger=WARN, file
log4j.logger.kafka.server.KafkaServer=INFO
log4j.logger.kafka.server.BrokerServer=INFO
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=${kafka.logs.dir}/server.log
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
PROPS
  echo "BOOTSTRAP=127.0.0.1:$port" >"$dir/env"
  local id
  id=$(java -cp "$cache/libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null)
  java -cp "$cache/libs/*" kafka.tools.StorageTool format -t "$id" -c "$dir/server.properties" >"$dir/logs/format.log" 2>&1 \
    || { cat "$dir/logs/format.log" >&2; die "could not format the KRaft storage"; }
  launch "$dir"
}

stop() {
  local dir=$1 pid
  [[ -f $dir/pid ]] || return 0
  pid=$(cat "$dir/pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$dir/pid"; return 0; }
    sleep 0.5
  done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$dir/pid"
}

case ${1:-} in
  fetch) fetch ;;
  start) [[ -n ${2:-} ]] || die "usage: broker.sh start DIR"; start "$2" ;;
  stop) [[ -n ${2:-} ]] || die "usage: broker.sh stop DIR"; stop "$2" ;;
  restart) [[ -n ${2:-} ]] || die "usage: broker.sh restart DIR"; launch "$2" ;;
  *) die "usage: broker.sh fetch | start DIR | stop DIR | restart DIR" ;;
esac
