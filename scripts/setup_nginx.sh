#!/usr/bin/env bash
# Writes the nginx site for BattyCoda, tests it and reloads nginx. See docs/operations.md § nginx.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: sudo scripts/setup_nginx.sh [options]

Reads DOMAIN_NAME, MAX_UPLOAD_SIZE_MB, HOST and PORT from the environment file and writes an
nginx site that
  - proxies everything to the API at HOST:PORT (the SPA's index.html too: it carries a
    per-response CSP nonce),
  - serves the SPA's hashed files (apps/web/dist/assets) itself, cached for a year,
  - never serves MEDIA_ROOT: recordings and spectrograms only go out through the API's
    authorised routes,
  - limits request bodies to MAX_UPLOAD_SIZE_MB, streams uploads to the API unbuffered, and lets
    resumable (tus) uploads through in chunks of any size,
  - uses HTTPS (and redirects http to it) when /etc/letsencrypt/live/$DOMAIN_NAME/ exists,
    serving /.well-known/acme-challenge/ from /var/www/letsencrypt for certbot either way.
Then runs `nginx -t` and reloads nginx.

options:
  --env-file FILE       default: .env of this checkout, else /etc/battycoda/battycoda.env
  --output FILE         default: /etc/nginx/sites-available/battycoda (enabled by a symlink in
                        sites-enabled). Any other path is tested on its own with a minimal
                        nginx.conf and nothing is enabled or reloaded.
  --letsencrypt-dir DIR default: /etc/letsencrypt/live
  --web-root DIR        the built SPA (default: apps/web/dist of this checkout)
  --no-reload           write and test, do not reload nginx
  -h, --help            this help
USAGE
}

root=$(cd "$(dirname "$0")/.." && pwd)
env_file=""
output=/etc/nginx/sites-available/battycoda
le_dir=/etc/letsencrypt/live
web_root="$root/apps/web/dist"
reload=1
while [ $# -gt 0 ]; do
  case "$1" in
    --env-file) env_file=${2:?--env-file needs a file}; shift 2 ;;
    --output) output=${2:?--output needs a file}; shift 2 ;;
    --letsencrypt-dir) le_dir=${2:?--letsencrypt-dir needs a folder}; shift 2 ;;
    --web-root) web_root=${2:?--web-root needs a folder}; shift 2 ;;
    --no-reload) reload=0; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "setup_nginx.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ -z "$env_file" ]; then
  if [ -f "$root/.env" ]; then env_file="$root/.env"; else env_file=/etc/battycoda/battycoda.env; fi
fi
[ -f "$env_file" ] || { echo "setup_nginx.sh: no environment file $env_file (see --env-file)" >&2; exit 1; }
command -v nginx >/dev/null 2>&1 || { echo "setup_nginx.sh: nginx is not installed (apt-get install nginx)" >&2; exit 1; }

# KEY=value lines only; the file is read, never executed
env_value() {
  local v
  v=$(sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" "$env_file" | tail -n 1)
  v=${v%%[[:space:]]#*}
  v=${v%\"}; v=${v#\"}; v=${v%\'}; v=${v#\'}
  printf '%s' "$v"
}
domain=$(env_value DOMAIN_NAME)
max_mb=$(env_value MAX_UPLOAD_SIZE_MB)
host=$(env_value HOST)
port=$(env_value PORT)
domain=${domain:-localhost}
max_mb=${max_mb:-100}
host=${host:-127.0.0.1}
port=${port:-8000}
[ "$host" = "0.0.0.0" ] && host=127.0.0.1
[[ "$domain" =~ ^[A-Za-z0-9.-]+$ ]] || { echo "setup_nginx.sh: DOMAIN_NAME '$domain' is not a host name" >&2; exit 1; }
[[ "$max_mb" =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "setup_nginx.sh: MAX_UPLOAD_SIZE_MB '$max_mb' is not a number" >&2; exit 1; }
[[ "$port" =~ ^[0-9]+$ ]] || { echo "setup_nginx.sh: PORT '$port' is not a number" >&2; exit 1; }
# nginx sizes are whole megabytes
max_mb=$(awk -v m="$max_mb" 'BEGIN { printf "%d", (m == int(m)) ? m : int(m) + 1 }')

https=0
[ -f "$le_dir/$domain/fullchain.pem" ] && [ -f "$le_dir/$domain/privkey.pem" ] && https=1

app_locations() {
  cat <<CONF
    client_max_body_size ${max_mb}m;
    # large exports stream through instead of filling nginx's temp files
    proxy_max_temp_file_size 0;
    proxy_read_timeout 300s;

    # The SPA's content-hashed files never change: nginx serves them, cached for a year.
    location ^~ /assets/ {
        alias ${web_root}/assets/;
        try_files \$uri =404;
        add_header Cache-Control "public, max-age=31536000, immutable" always;
        add_header X-Content-Type-Options nosniff always;
        access_log off;
    }

    # Media (recordings, spectrograms, images, models) is never served from disk here: only the
    # API's routes, which check the caller's group, hand it out.
    location ^~ /media/ {
        return 404;
    }

    # Resumable uploads (tus): chunks go straight to the API, unbuffered, whatever their size
    # (the API enforces MAX_RESUMABLE_UPLOAD_SIZE_MB over the whole upload).
    location ^~ /api/uploads/tus {
        client_max_body_size 0;
        proxy_request_buffering off;
        proxy_buffering off;
        proxy_read_timeout 600s;
        proxy_send_timeout 600s;
        include ${site_dir}/battycoda-proxy.conf;
    }

    # Single and ZIP uploads: streamed to the API as they arrive.
    location ^~ /api/recordings/upload {
        proxy_request_buffering off;
        proxy_read_timeout 600s;
        proxy_send_timeout 600s;
        include ${site_dir}/battycoda-proxy.conf;
    }

    location / {
        include ${site_dir}/battycoda-proxy.conf;
    }
CONF
}

site_dir=$(dirname "$output")
proxy_conf="$site_dir/battycoda-proxy.conf"
standalone=1
case "$output" in /etc/nginx/*) standalone=0 ;; esac
if [ $standalone = 0 ]; then
  # outside sites-enabled: shared proxy settings live next to nginx.conf
  site_dir=/etc/nginx/snippets
  proxy_conf="$site_dir/battycoda-proxy.conf"
fi
mkdir -p "$site_dir" "$(dirname "$output")"

cat > "$proxy_conf.tmp" <<CONF
# BattyCoda: proxy settings shared by the locations of the site (written by scripts/setup_nginx.sh)
proxy_pass http://battycoda_api;
proxy_http_version 1.1;
proxy_set_header Connection "";
proxy_set_header Host \$host;
proxy_set_header X-Real-IP \$remote_addr;
proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
proxy_set_header X-Forwarded-Proto \$scheme;
CONF
mv "$proxy_conf.tmp" "$proxy_conf"

{
  cat <<CONF
# BattyCoda — written by scripts/setup_nginx.sh from $env_file on $(date -u +%Y-%m-%dT%H:%M:%SZ).
# Edit the environment file and run the script again rather than editing this file.
upstream battycoda_api {
    server ${host}:${port};
    keepalive 16;
}

CONF
  if [ $https = 1 ]; then
    cat <<CONF
server {
    listen 80;
    listen [::]:80;
    server_name ${domain};
    location ^~ /.well-known/acme-challenge/ {
        root /var/www/letsencrypt;
    }
    location / {
        return 301 https://\$host\$request_uri;
    }
}

server {
    listen 443 ssl http2;
    listen [::]:443 ssl http2;
    server_name ${domain};
    ssl_certificate ${le_dir}/${domain}/fullchain.pem;
    ssl_certificate_key ${le_dir}/${domain}/privkey.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers off;
    ssl_session_cache shared:battycoda_ssl:10m;
    ssl_session_timeout 1d;
    gzip on;
    gzip_types text/css application/javascript application/json image/svg+xml;

$(app_locations)
}
CONF
  else
    cat <<CONF
server {
    listen 80;
    listen [::]:80;
    server_name ${domain};
    location ^~ /.well-known/acme-challenge/ {
        root /var/www/letsencrypt;
    }
    gzip on;
    gzip_types text/css application/javascript application/json image/svg+xml;

$(app_locations)
}
CONF
  fi
} > "$output.tmp"
mv "$output.tmp" "$output"
echo "[nginx] wrote $output ($([ $https = 1 ] && echo "HTTPS with $le_dir/$domain" || echo "HTTP only: no certificate in $le_dir/$domain"), uploads up to ${max_mb} MB, API at ${host}:${port})"

if [ $standalone = 1 ]; then
  # test the site on its own: a minimal main configuration around it, nothing of the system's
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  cat > "$work/nginx.conf" <<CONF
pid $work/nginx.pid;
error_log $work/error.log;
events {}
http {
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path $work/body;
    proxy_temp_path $work/proxy;
    include $output;
}
CONF
  nginx -t -q -e "$work/error.log" -p "$work" -c "$work/nginx.conf"
  echo "[nginx] nginx -t: ok (standalone test of $output)"
  exit 0
fi

ln -sfn "$output" /etc/nginx/sites-enabled/battycoda
nginx -t -q
echo "[nginx] nginx -t: ok"
if [ $reload = 1 ]; then
  if [ -d /run/systemd/system ]; then systemctl reload nginx || systemctl start nginx; else nginx -s reload || nginx; fi
  echo "[nginx] reloaded"
fi
