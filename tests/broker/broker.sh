#!/usr/bin/env bash
# A real single-node Apache Kafka 3.9 broker (KRaft, broker+controller) on 127.0.0.1 for the
# integration tests, assembled from Maven Central jars.
#
#   broker.sh fetch          resolve the jars into the cache (idempotent, fast when cached)
#   broker.sh start DIR      format a fresh broker in DIR on free ports, start it, wait until it
#                            answers metadata requests; writes DIR/env (see below)
#   broker.sh stop DIR       stop it by PID (SIGTERM, then SIGKILL after 20 s)
#   broker.sh restart DIR    start the stopped broker in DIR again, same ports and data
#
# Listeners, each on its own free port, all written to DIR/env:
#   BOOTSTRAP        PLAINTEXT (principal ANONYMOUS, a super user: tests and most clients)
#   BOOTSTRAP_SSL    SSL with a certificate from a CA generated per start (BROKER_CA, PEM)
#   BOOTSTRAP_SASL   SASL_PLAINTEXT with SCRAM-SHA-512 users SCRAM_USER/SCRAM_PASSWORD and
#                    RESTRICTED_USER/RESTRICTED_PASSWORD (the ACL tests deny the latter)
#   PROXY_PORT_N     N = 1..3: a PLAINTEXT listener on PROXY_TARGET_PORT_N that advertises
#                    PROXY_PORT_N, so a TCP proxy the test runs on PROXY_PORT_N carries all of a
#                    client's traffic. Three, so three tests may each cut or freeze their own
#                    at once (tests/support/tcp_proxy.hpp hands them out).
# The StandardAuthorizer allows everything on resources with no ACL.
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

make_tls() {
  local tls=$1 pass=$2
  mkdir -p "$tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=wirescan test CA" \
    -keyout "$tls/ca.key" -out "$tls/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$tls/broker.key" -out "$tls/broker.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$tls/san.ext"
  openssl x509 -req -in "$tls/broker.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial -days 2 \
    -extfile "$tls/san.ext" -out "$tls/broker.pem" 2>/dev/null
  openssl pkcs12 -export -in "$tls/broker.pem" -inkey "$tls/broker.key" -certfile "$tls/ca.pem" \
    -name broker -passout "pass:$pass" -out "$tls/broker.p12"
}

secret() { openssl rand -hex 12; }

start() {
  local dir=$1
  fetch
  mkdir -p "$dir/logs" "$dir/data"
  local port ctl ssl sasl proxied1 proxy1 proxied2 proxy2 proxied3 proxy3 used=" "
  for v in port ctl ssl sasl proxied1 proxy1 proxied2 proxy2 proxied3 proxy3; do
    local p
    p=$(free_port)
    while [[ $used == *" $p "* ]]; do p=$(free_port); done
    used+="$p "
    printf -v "$v" '%s' "$p"
  done
  local store_pass scram_pass restricted_pass
  store_pass=$(secret)
  scram_pass=$(secret)
  restricted_pass=$(secret)
  make_tls "$dir/tls" "$store_pass"
  cat >"$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$ctl
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$ctl,SSL://127.0.0.1:$ssl,SASL_PLAINTEXT://127.0.0.1:$sasl,PROXIED1://127.0.0.1:$proxied1,PROXIED2://127.0.0.1:$proxied2,PROXIED3://127.0.0.1:$proxied3
advertised.listeners=PLAINTEXT://127.0.0.1:$port,SSL://127.0.0.1:$ssl,SASL_PLAINTEXT://127.0.0.1:$sasl,PROXIED1://127.0.0.1:$proxy1,PROXIED2://127.0.0.1:$proxy2,PROXIED3://127.0.0.1:$proxy3
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,PROXIED1:PLAINTEXT,PROXIED2:PLAINTEXT,PROXIED3:PLAINTEXT
ssl.keystore.type=PKCS12
ssl.keystore.location=$dir/tls/broker.p12
ssl.keystore.password=$store_pass
ssl.key.password=$store_pass
ssl.client.auth=none
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:ANONYMOUS
allow.everyone.if.no.acl.found=true
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
  cat >"$dir/env" <<ENV
BOOTSTRAP=127.0.0.1:$port
BOOTSTRAP_SSL=127.0.0.1:$ssl
BROKER_CA=$dir/tls/ca.pem
BOOTSTRAP_SASL=127.0.0.1:$sasl
SCRAM_USER=wirescan
SCRAM_PASSWORD=$scram_pass
RESTRICTED_USER=restricted
RESTRICTED_PASSWORD=$restricted_pass
PROXY_PORT_1=$proxy1
PROXY_TARGET_PORT_1=$proxied1
PROXY_PORT_2=$proxy2
PROXY_TARGET_PORT_2=$proxied2
PROXY_PORT_3=$proxy3
PROXY_TARGET_PORT_3=$proxied3
ENV
  local id
  id=$(java -cp "$cache/libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null)
  # SCRAM credentials go into the metadata log at format time (KIP-900), before the first start.
  java -cp "$cache/libs/*" kafka.tools.StorageTool format -t "$id" -c "$dir/server.properties" \
    --add-scram "SCRAM-SHA-512=[name=wirescan,password=$scram_pass]" \
    --add-scram "SCRAM-SHA-512=[name=restricted,password=$restricted_pass]" >"$dir/logs/format.log" 2>&1 \
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

# DIR goes into server.properties (log.dirs) and is used again by a restart from another
# working directory (the tests run in build/tests), so it is made absolute first.
[[ -n ${2:-} ]] && set -- "$1" "$(realpath -m "$2")"
case ${1:-} in
  fetch) fetch ;;
  start) [[ -n ${2:-} ]] || die "usage: broker.sh start DIR"; start "$2" ;;
  stop) [[ -n ${2:-} ]] || die "usage: broker.sh stop DIR"; stop "$2" ;;
  restart) [[ -n ${2:-} ]] || die "usage: broker.sh restart DIR"; launch "$2" ;;
  *) die "usage: broker.sh fetch | start DIR | stop DIR | restart DIR" ;;
esac
