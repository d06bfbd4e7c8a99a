#!/usr/bin/env bash
# A local cluster in one command: a redis-server, two StreamingApi instances that keep their runs in it, and nginx
# in front balancing requests between them, so that a reconnecting browser lands on either instance. Debian's
# redis-server and nginx are installed when missing. Ctrl+C stops everything it started (the instances drain first).
#
#   scripts/cluster.sh            # then open the URL it prints
#
# Ports (loopback only): CLUSTER_PORT (nginx, 8080), CLUSTER_REDIS_PORT (6380), CLUSTER_FIRST_PORT (5101 and the next).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
port=${CLUSTER_PORT:-8080}
redis_port=${CLUSTER_REDIS_PORT:-6380}
first=${CLUSTER_FIRST_PORT:-5101}
instances=("$first" "$((first + 1))")

sudo_if_needed=""
[ "$(id -u)" -eq 0 ] || sudo_if_needed="sudo"
missing=()
command -v redis-server >/dev/null || [ -x /usr/bin/redis-server ] || missing+=(redis-server)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian's ${missing[*]}..."
  $sudo_if_needed apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_if_needed apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  for package in "${missing[@]}"; do # this script runs its own; Debian's services are left stopped
    case "$package" in
      nginx-light) $sudo_if_needed service nginx stop >/dev/null 2>&1 || true ;;
      redis-server) $sudo_if_needed service redis-server stop >/dev/null 2>&1 || true ;;
    esac
  done
fi
redis_server=$(command -v redis-server || echo /usr/bin/redis-server)
nginx=$(command -v nginx || echo /usr/sbin/nginx)

echo "Building StreamingApi..."
dotnet build -c Release src/StreamingApi >/dev/null

work=$(mktemp -d -t streamingapi-cluster-XXXXXX)
chmod 755 "$work"
instance_pids=()
nginx_pid=""
redis_pid=""
stop_all() {
  trap - INT TERM EXIT
  echo
  echo "Stopping the cluster..."
  # The instances first, with SIGTERM: they drain their streams through nginx; then nginx and Redis go.
  for pid in "${instance_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${instance_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -n "$nginx_pid" ] && kill -TERM "$nginx_pid" 2>/dev/null || true
  [ -n "$redis_pid" ] && kill -TERM "$redis_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap stop_all INT TERM EXIT

"$redis_server" --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no >"$work/redis.log" 2>&1 &
redis_pid=$!

for instance in "${instances[@]}"; do
  ASPNETCORE_URLS="http://127.0.0.1:$instance" \
  Runs__Store=redis \
  ConnectionStrings__Redis="127.0.0.1:$redis_port" \
    dotnet "$root/src/StreamingApi/bin/Release/net10.0/StreamingApi.dll" >"$work/instance-$instance.log" 2>&1 &
  instance_pids+=($!)
done

cat >"$work/nginx.conf" <<NGINX
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/client;
  proxy_temp_path $work/proxy;
  fastcgi_temp_path $work/fastcgi;
  uwsgi_temp_path $work/uwsgi;
  scgi_temp_path $work/scgi;
  upstream streamingapi {
$(for instance in "${instances[@]}"; do echo "    server 127.0.0.1:$instance;"; done)
    keepalive 32;
  }
  server {
    listen 127.0.0.1:$port;
    location / {
      proxy_pass http://streamingapi;
      proxy_http_version 1.1;           # keep-alive to the instances, and chunked responses
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;  # each client its own limits
      proxy_read_timeout 60s;           # longer than Streaming:HeartbeatSeconds (15), so silent streams live
      # No proxy_buffering here: each stream's X-Accel-Buffering: no turns nginx's buffering off for it.
    }
  }
}
NGINX
"$nginx" -p "$work" -c "$work/nginx.conf" -e "$work/nginx-error.log" -g "daemon off;" &
nginx_pid=$!

echo "Waiting for both instances and Redis..."
for _ in $(seq 1 120); do
  ready=0
  for instance in "${instances[@]}"; do
    curl -fsS "http://127.0.0.1:$instance/health/ready" >/dev/null 2>&1 && ready=$((ready + 1))
  done
  [ "$ready" -eq "${#instances[@]}" ] && break
  sleep 0.5
done
if [ "$ready" -ne "${#instances[@]}" ]; then
  echo "The instances did not become ready; their logs:" >&2
  tail -n 20 "$work"/instance-*.log >&2
  exit 1
fi

cat <<INFO

StreamingApi cluster: http://127.0.0.1:$port/
  nginx        127.0.0.1:$port -> instances $(printf '127.0.0.1:%s ' "${instances[@]}")
  redis-server 127.0.0.1:$redis_port (Runs:Store=redis)
  logs         $work
Try: curl -N "http://127.0.0.1:$port/stream/text?prompt=Explain%20load%20balancers"
Ctrl+C stops everything.
INFO
wait
