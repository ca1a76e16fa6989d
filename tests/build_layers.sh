#!/usr/bin/env bash
# The layering rule, checked on what the build produced: the core archive
# (transport, JSON, codec, helpers) defines nothing of the client or the action
# table, and the simulator program contains none of it (docs/architecture.md).
set -euo pipefail
build=${1:?usage: build_layers.sh BUILD_DIR}
fail=0
core_defs=$(nm --defined-only "$build/libonebot_core.a" 2>/dev/null | awk 'NF==3 {print $3}')
sim_syms=$(nm "$build/onebot-sim" 2>/dev/null | awk '{print $NF}')
[ -n "$core_defs" ] || { echo "FAIL: no symbols read from $build/libonebot_core.a"; exit 1; }
[ -n "$sim_syms" ] || { echo "FAIL: no symbols read from $build/onebot-sim"; exit 1; }
# the client, the calls, the event queue and the action table
forbidden='^(ob_client_new|ob_connect|ob_call|ob_call_async|ob_poll|ob_on_event|ob__action_[a-z_]+|ob__client_[a-z_]+|ob__calls_[a-z_]+|ob__events_[a-z_]+|ob_set_group_ban|ob__media_resolve)$'
bad=$(grep -E "$forbidden" <<<"$core_defs" || true)
if [ -n "$bad" ]; then echo "FAIL: libonebot_core.a defines client/action symbols:"; echo "$bad"; fail=1; fi
bad=$(grep -E "$forbidden" <<<"$sim_syms" || true)
if [ -n "$bad" ]; then echo "FAIL: onebot-sim contains client/action symbols:"; echo "$bad"; fail=1; fi
# hiredis stays out of the core and the simulator (only the redis:// transport
# and the gateway use it)
bad=$( (grep -E '^(redis[A-Z][A-Za-z]*|ob__redis_[a-z_]+)$' <<<"$core_defs"; grep -E '^(redisAsyncConnect|ob__redis_[a-z_]+)$' <<<"$sim_syms") || true)
if [ -n "$bad" ]; then echo "FAIL: the core or the simulator uses hiredis:"; echo "$bad"; fail=1; fi
# and the core is really what the simulator runs on (the check above is not vacuous)
for need in ob__jw_str ob__ws_io ob__jdoc_parse; do
  grep -qx "$need" <<<"$core_defs" || { echo "FAIL: libonebot_core.a lacks $need"; fail=1; }
done
[ "$fail" -eq 0 ] && echo "ok: the core and the simulator use neither the client nor the action table"
exit "$fail"
