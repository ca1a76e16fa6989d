// Turns the records that bench/run.sh collected into bench/RESULTS.md and the
// data + panel titles that bench/plot.gp draws. Every figure is the median of
// the run's repetitions; every ratio compares figures from this same run.
//
//   node report.mjs RESULTS.jsonl RESULTS.md results.dat panels.gp
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const [input, mdPath, datPath, panelsPath] = process.argv.slice(2);
const info = {};
const samples = new Map(); // "scenario|client" -> [values]
for (const line of readFileSync(input, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const r = JSON.parse(line);
  if (r.info) { info[r.info] = r.value; continue; }
  const k = `${r.scenario}|${r.client}`;
  if (!samples.has(k)) samples.set(k, []);
  samples.get(k).push(r.value);
}

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const get = (scenario, client) => {
  const v = samples.get(`${scenario}|${client}`);
  return v && v.length ? median(v) : undefined;
};
const spread = (scenario, client) => {
  const v = samples.get(`${scenario}|${client}`);
  return v && v.length > 1 ? [Math.min(...v), Math.max(...v)] : undefined;
};

const US = 'libonebot', PEER = 'node-napcat-ts', BARE = 'node-bare';
const fmt = (x, unit = '') => {
  if (x === undefined || Number.isNaN(x)) return 'n/a';
  const a = Math.abs(x);
  const s = a >= 100000 ? Math.round(x).toLocaleString('en-US')
    : a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : a >= 1 ? x.toFixed(2) : x.toFixed(3);
  return unit ? `${s} ${unit}` : s;
};
const ratio = (a, b) => (a === undefined || b === undefined || b === 0 ? undefined : a / b);
const fmtRatio = (r) => (r === undefined ? 'n/a' : `${r.toFixed(r >= 10 ? 0 : r >= 1 ? 2 : 3)}x`);
const verdict = (ok, short) => (ok === undefined ? 'n/a' : ok ? '**met**' : `**missed**${short ? ` (${short})` : ''}`);

// ---- the table ----
const rows = [];
function row(o) { rows.push(o); }

const floorSplit = get('floor_rtt_us', 'tcp'), floorSame = get('floor_same_core_us', 'tcp');
for (const [scen, floor, label] of [
  ['seq_us', floorSplit, '1. Sequential `set_group_ban` round trip, client and responder on separate cores'],
  ['seq_same_core_us', floorSame, '1b. Sequential round trip, client and responder sharing one core'],
]) {
  const us = get(scen, US), peer = get(scen, PEER), bare = get(scen, BARE);
  const r = ratio(us, floor);
  row({ label, unit: 'µs/call (lower is better)', floor, us, peer, bare,
    ratioText: `ours ${fmtRatio(r)} floor; peer ${fmtRatio(ratio(peer, floor))} floor; peer/ours ${fmtRatio(ratio(peer, us))}`,
    target: 'ours ≤ 1.2x floor', ok: r === undefined ? undefined : r <= 1.2,
    short: r === undefined ? '' : `${fmtRatio(r)} instead of 1.2x` });
}
{
  const us = get('pipe_cps', US), peer = get('pipe_cps', PEER), bare = get('pipe_cps', BARE);
  const r = ratio(us, peer);
  row({ label: '2. Pipelined: 10 000 calls in flight', unit: 'calls/s (higher is better)', us, peer, bare,
    ratioText: `ours/peer ${fmtRatio(r)}`, target: '≥ 4x peer', ok: r === undefined ? undefined : r >= 4,
    short: r === undefined ? '' : `${fmtRatio(r)} instead of 4x` });
}
for (const [scen, label, floorScen] of [
  ['cpu_seq_us', '3a. Client CPU (user+sys) per call, sequential, separate cores', 'floor_cpu_us'],
  ['cpu_seq_same_core_us', '3b. Client CPU per call, sequential, one core', 'floor_cpu_same_core_us'],
  ['cpu_pipe_us', '3c. Client CPU per call, pipelined (10 000 in flight)', undefined],
]) {
  const us = get(scen, US), peer = get(scen, PEER), bare = get(scen, BARE);
  const r = ratio(peer, us);
  const floor = floorScen ? get(floorScen, 'tcp') : undefined;
  row({ label, unit: 'µs CPU/call (lower is better)', us, peer, bare, floor,
    ratioText: `peer/ours ${fmtRatio(r)}`, target: 'ours ≤ 1/5 peer', ok: r === undefined ? undefined : r >= 5,
    short: r === undefined ? '' : `1/${r.toFixed(1)} instead of 1/5` });
}
{
  const k = (c) => { const v = get('rss_kb', c); return v === undefined ? undefined : v / 1024; };
  const us = k(US), peer = k(PEER), bare = k(BARE);
  const r = ratio(peer, us);
  row({ label: '4. Peak RSS of the client process (after 1 and 2)', unit: 'MiB (lower is better)', us, peer, bare,
    ratioText: `peer/ours ${fmtRatio(r)}`, target: 'ours ≤ 1/10 peer', ok: r === undefined ? undefined : r >= 10,
    short: r === undefined ? '' : `1/${r.toFixed(1)} instead of 1/10` });
}
{
  const us = get('inflight_rss_b', US), peer = get('inflight_rss_b', PEER), bare = get('inflight_rss_b', BARE);
  row({ label: '4b. Memory per call in flight: 20 000 `set_group_ban` calls awaiting their replies, (RSS with 20 000 − RSS with 1) / 19 999',
    unit: 'bytes/call (lower is better)', us, peer, bare,
    ratioText: `peer/ours ${fmtRatio(ratio(peer, us))}; heap in use per call: ours ${fmt(get('inflight_heap_b', US))}, peer ${fmt(get('inflight_heap_b', PEER))}, bare ${fmt(get('inflight_heap_b', BARE))}`,
    target: 'ours ≤ 256 B', ok: us === undefined ? undefined : us <= 256,
    short: us === undefined ? '' : `${fmt(us)} B` });
}
{
  const us = get('decode_ms', US), peer = get('decode_ms', PEER), bare = get('decode_ms', BARE);
  const r = ratio(bare, us);
  const bytes = get('decode_frame_bytes', 'fixture');
  row({ label: `5. Decode a 3 000-member \`get_group_member_list\` reply (${bytes ? (bytes / 1e6).toFixed(2) + ' MB' : '?'}) into typed results; peer: JSON.parse of the same bytes`,
    unit: 'ms (lower is better)', us, peer, bare,
    ratioText: `bare JSON.parse/ours ${fmtRatio(r)}; peer path/ours ${fmtRatio(ratio(peer, us))}`,
    target: 'faster than bare JSON.parse', ok: r === undefined ? undefined : r > 1,
    short: r === undefined ? '' : `${((1 / r - 1) * 100).toFixed(0)} % slower` });
}
{
  const us = get('members_rtt_ms', US), peer = get('members_rtt_ms', PEER), bare = get('members_rtt_ms', BARE);
  row({ label: '5b. The same list end to end: call, the reply over WebSocket, typed result', unit: 'ms (lower is better)', us, peer, bare,
    ratioText: `peer/ours ${fmtRatio(ratio(peer, us))}`, target: '—', ok: undefined });
}
{
  const us = get('events_per_s', US), peer = get('events_per_s', PEER), bare = get('events_per_s', BARE);
  row({ label: '6. Event ingest: group messages decoded and delivered to a callback', unit: 'events/s (higher is better)', us, peer, bare,
    ratioText: `ours/peer ${fmtRatio(ratio(us, peer))}`, target: '≥ 200 000/s', ok: us === undefined ? undefined : us >= 200000,
    short: us === undefined ? '' : `${((1 - us / 200000) * 100).toFixed(0)} % short` });
}
{
  const us = get('cpu_event_us', US), peer = get('cpu_event_us', PEER), bare = get('cpu_event_us', BARE);
  row({ label: '6b. Client CPU per event', unit: 'µs CPU/event (lower is better)', us, peer, bare,
    ratioText: `peer/ours ${fmtRatio(ratio(peer, us))}`, target: '—', ok: undefined });
}
{
  const one = get('hub_events_per_s_1', US), many = get('hub_events_per_s_50', US);
  const r = ratio(many, one);
  row({ label: '8. Hub event ingest: 50 accounts on one `ob_hub` over reverse WebSocket (NapCat\'s headers), 200 000 events in all',
    unit: 'events/s (higher is better)', us: many, peer: undefined, bare: undefined,
    ratioText: `50 accounts/1 account ${fmtRatio(r)} (1 account: ${fmt(one)}/s)`, target: '≥ 0.8x of 1 account',
    ok: r === undefined ? undefined : r >= 0.8, short: r === undefined ? '' : `${((1 - r) * 100).toFixed(0)} % short` });
  row({ label: '8b. Hub CPU per event, 50 accounts (1 account)', unit: 'µs CPU/event (lower is better)',
    us: get('hub_cpu_event_us_50', US), peer: undefined, bare: undefined,
    ratioText: `1 account: ${fmt(get('hub_cpu_event_us_1', US))}`, target: '—', ok: undefined });
  row({ label: '8c. Hub memory per connected account (RSS growth with 50 accounts online / 50)', unit: 'KiB/account (lower is better)',
    us: get('hub_rss_per_account_kb', US), peer: undefined, bare: undefined, ratioText: '—', target: '—', ok: undefined });
}
const simSizes = [...samples.keys()].filter((k) => k.startsWith('sim_aps_')).map((k) => Number(k.split('|')[0].slice(8)))
  .filter((v, i, a) => a.indexOf(v) === i).sort((a, b) => a - b);
for (const n of simSizes) {
  const us = get(`sim_aps_${n}`, US), peer = get(`sim_aps_${n}`, PEER), bare = get(`sim_aps_${n}`, BARE);
  row({ label: `7. Simulator, 8 clients, mixed group management, ${n.toLocaleString('en-US')}-member groups`,
    unit: 'actions/s, each a durable commit (higher is better)', us, peer, bare,
    ratioText: `ours/peer ${fmtRatio(ratio(us, peer))}; durable writes/s: ours ${fmt(get(`sim_wps_${n}`, US))}, peer ${fmt(get(`sim_wps_${n}`, PEER))}`,
    target: '—', ok: undefined });
}

// ---- RESULTS.md ----
const md = [];
md.push('# libonebot benchmarks');
md.push('');
md.push('Generated by `make bench` (`bench/run.sh`); do not edit by hand. Every figure is the median of the');
md.push(`run's repetitions (${info.reps ?? '?'} rounds; the simulator 3), and every ratio compares figures taken in this same run on`);
md.push('this same machine. **Absolute numbers are this machine\'s**; only the ratios travel.');
md.push('');
md.push('## This machine');
md.push('');
md.push('| | |');
md.push('|---|---|');
for (const [k, label] of [['date', 'Run (UTC)'], ['cpu', 'CPU'], ['ncpu', 'CPUs'], ['mem', 'Memory'], ['os', 'OS'], ['kernel', 'Kernel'],
  ['cc', 'Compiler'], ['build', 'Build type'], ['libonebot', 'libonebot'], ['wslay', 'wslay'], ['node', 'Node'],
  ['node-napcat-ts', 'node-napcat-ts'], ['ws', 'ws (npm)'], ['elapsed_s', 'Benchmark time (s)']]) {
  if (info[k] !== undefined) md.push(`| ${label} | ${info[k]} |`);
}
md.push('');
md.push('## Results');
md.push('');
md.push('Clients: **libonebot** (this library), **node-napcat-ts** (the peer: the most complete typed NapCat');
md.push('client on npm, its public API with default options), **node (bare ws)** (the least a Node client');
md.push('can do: the `ws` package, `JSON.stringify`, a `Map` of echoes, `JSON.parse`; it shows how much of the');
md.push("peer's cost is Node itself). All talk to the same C responder (`bench/responder.c`) that answers every");
md.push('action at once with a fixed NapCat-shaped reply.');
md.push('');
md.push('| Scenario | Unit | libonebot | node-napcat-ts | node (bare ws) | Ratio | Target | |');
md.push('|---|---|---:|---:|---:|---|---|---|');
for (const r of rows) {
  const floorNote = r.floor !== undefined ? ` (TCP floor: ${fmt(r.floor)})` : '';
  md.push(`| ${r.label}${floorNote} | ${r.unit} | ${fmt(r.us)} | ${fmt(r.peer)} | ${fmt(r.bare)} | ${r.ratioText} | ${r.target} | ${verdict(r.ok, r.short)} |`);
}
md.push('');
// The HTTP transport (issue #10): libonebot over http:// against bench/http_responder.c.
const HTTP = 'libonebot-http';
if (get('seq_us', HTTP) !== undefined) {
  md.push('HTTP transport (`http://`, our HTTP/1.1 client: up to 4 keep-alive connections, 128 pipelined requests each, against `bench/http_responder.c`; the libcurl client it replaced: bench/NOTES.md):');
  md.push('');
  md.push('| Scenario | Unit | libonebot http:// | libonebot ws:// | node-napcat-ts ws:// | http / ws | Target |');
  md.push('|---|---|---:|---:|---:|---|---|');
  const hs = get('seq_us', HTTP), ws = get('seq_us', US), hp = get('pipe_cps', HTTP), wp = get('pipe_cps', US);
  md.push(`| 1. Sequential round trip | µs | ${fmt(hs)} | ${fmt(ws)} | ${fmt(get('seq_us', PEER))} | ${fmt(hs / ws)}x | |`);
  md.push(`| 2. Pipelined | calls/s | ${fmt(hp)} | ${fmt(wp)} | ${fmt(get('pipe_cps', PEER))} | ${fmt(hp / wp)}x | within 2x of ws: **${hp * 2 >= wp ? 'met' : 'missed'}** |`);
  md.push(`| 3a. Client CPU per call, sequential | µs | ${fmt(get('cpu_seq_us', HTTP))} | ${fmt(get('cpu_seq_us', US))} | ${fmt(get('cpu_seq_us', PEER))} | | |`);
  md.push(`| 3b. Client CPU per call, pipelined | µs | ${fmt(get('cpu_pipe_us', HTTP))} | ${fmt(get('cpu_pipe_us', US))} | ${fmt(get('cpu_pipe_us', PEER))} | | |`);
  md.push('');
}
// Scale-out through `onebot gateway` and Redis Streams (issue #14): bench/bench_gateway.c.
const GW_TARGET = 30000, GW_RTT_TARGET = 3;
const gwWorkers = [1, 2, 4].filter((n) => get('gateway_events_actions_per_s', `libonebot-${n}w`) !== undefined);
if (gwWorkers.length) {
  md.push('Scale-out (scenario 9, `bench/bench_gateway.c`): the responder plays NapCat, a real `redis-server` (AOF');
  md.push('`everysec`) and `onebot gateway` run as processes, 1, 2 and 4 worker processes (`redis://` clients) take the');
  md.push('events; one call makes the responder stream 100 000 group messages through the gateway; each worker');
  md.push('acknowledges every event and sends one action back for it (routed to the event\'s account, answered by');
  md.push('the responder). Events/s: from the first request until the last action was answered. CPU per event:');
  md.push('each process\'s user + system time over the run divided by the events (all workers together).');
  md.push('');
  md.push('| Workers | events/s, handled | events/s, handled and action answered | gateway µs CPU/event | redis-server µs CPU/event | workers µs CPU/event | Target |');
  md.push('|---:|---:|---:|---:|---:|---:|---|');
  for (const n of gwWorkers) {
    const c = `libonebot-${n}w`, ea = get('gateway_events_actions_per_s', c);
    md.push(`| ${n} | ${fmt(get('gateway_events_per_s', c))} | ${fmt(ea)} | ${fmt(get('gateway_cpu_us_per_event', c))} | ` +
      `${fmt(get('gateway_redis_cpu_us_per_event', c))} | ${fmt(get('gateway_workers_cpu_us_per_event', c))} | ` +
      `≥ ${GW_TARGET.toLocaleString('en-US')}/s: ${verdict(ea >= GW_TARGET, `${((1 - ea / GW_TARGET) * 100).toFixed(0)} % short`)} |`);
  }
  const via = get('gateway_rtt_us', 'libonebot-redis'), direct = get('gateway_rtt_us', 'libonebot-ws');
  const r = ratio(via, direct);
  md.push('');
  md.push('| Round trip of one sequential call | through Redis (worker -> Redis -> gateway -> responder -> Redis -> worker) | straight over WebSocket | ratio | Target |');
  md.push('|---|---:|---:|---:|---|');
  md.push(`| µs per call (median of alternated rounds, before the flood) | ${fmt(via)} | ${fmt(direct)} | ${fmtRatio(r)} | ` +
    `< ${GW_RTT_TARGET}x: ${verdict(r === undefined ? undefined : r < GW_RTT_TARGET, r === undefined ? '' : `${fmtRatio(r)}`)} |`);
  md.push('');
}
md.push('Spread (min–max over the rounds) of the headline figures:');
md.push('');
for (const [scen, client] of [['floor_rtt_us', 'tcp'], ['seq_us', US], ['seq_us', PEER], ['floor_same_core_us', 'tcp'],
  ['seq_same_core_us', US], ['seq_same_core_us', PEER], ['pipe_cps', US], ['pipe_cps', PEER], ['events_per_s', US], ['events_per_s', PEER],
  ['hub_events_per_s_50', US], ['gateway_events_actions_per_s', 'libonebot-1w'], ['gateway_events_actions_per_s', 'libonebot-4w'],
  ['gateway_rtt_ratio', US]]) {
  const s = spread(scen, client);
  if (s) md.push(`- \`${scen}\` ${client}: ${fmt(s[0])} – ${fmt(s[1])}`);
}
md.push('');
md.push('![results](results.png)');
md.push('');
const notes = join(dirname(mdPath), 'NOTES.md');
if (existsSync(notes)) md.push(readFileSync(notes, 'utf8').trimEnd(), '');
writeFileSync(mdPath, md.join('\n'));

// ---- chart data: one block per panel, "label" value ----
const panels = [];
const panel = (title, ylabel, bars) => panels.push({ title, ylabel, bars: bars.filter(([, v]) => v !== undefined) });
const rt = (a, b, what) => { const r = ratio(a, b); return r === undefined ? '' : ` (${what} ${fmtRatio(r)})`; };
panel('1. sequential round trip, separate cores' + rt(get('seq_us', US), floorSplit, 'ours/floor'), 'µs per call',
  [['TCP floor', floorSplit], [US, get('seq_us', US)], [PEER, get('seq_us', PEER)], ['bare ws', get('seq_us', BARE)]]);
panel('1b. sequential round trip, one core' + rt(get('seq_same_core_us', US), floorSame, 'ours/floor'), 'µs per call',
  [['TCP floor', floorSame], [US, get('seq_same_core_us', US)], [PEER, get('seq_same_core_us', PEER)], ['bare ws', get('seq_same_core_us', BARE)]]);
panel('2. pipelined, 10 000 in flight' + rt(get('pipe_cps', US), get('pipe_cps', PEER), 'ours/peer'), 'calls/s',
  [[US, get('pipe_cps', US)], [PEER, get('pipe_cps', PEER)], ['bare ws', get('pipe_cps', BARE)]]);
panel('3. client CPU per pipelined call' + rt(get('cpu_pipe_us', PEER), get('cpu_pipe_us', US), 'peer/ours'), 'µs CPU',
  [[US, get('cpu_pipe_us', US)], [PEER, get('cpu_pipe_us', PEER)], ['bare ws', get('cpu_pipe_us', BARE)]]);
panel('4. peak RSS' + rt(get('rss_kb', PEER), get('rss_kb', US), 'peer/ours'), 'MiB',
  [US, PEER, BARE].map((c) => [c === BARE ? 'bare ws' : c, get('rss_kb', c) === undefined ? undefined : get('rss_kb', c) / 1024]));
panel('4b. memory per call in flight' + rt(get('inflight_rss_b', PEER), get('inflight_rss_b', US), 'peer/ours'), 'bytes (RSS)',
  [[US, get('inflight_rss_b', US)], [PEER, get('inflight_rss_b', PEER)], ['bare ws', get('inflight_rss_b', BARE)]]);
panel('5. decode 3 000 members' + rt(get('decode_ms', BARE), get('decode_ms', US), 'JSON.parse/ours'), 'ms',
  [[US, get('decode_ms', US)], [PEER, get('decode_ms', PEER)], ['JSON.parse', get('decode_ms', BARE)]]);
panel('6. event ingest' + rt(get('events_per_s', US), get('events_per_s', PEER), 'ours/peer'), 'events/s',
  [[US, get('events_per_s', US)], [PEER, get('events_per_s', PEER)], ['bare ws', get('events_per_s', BARE)]]);
panel('7. simulator, 8 clients, by group size', 'actions/s', simSizes.flatMap((n) =>
  [[US, `${n}: ours`], [PEER, `${n}: napcat`], [BARE, `${n}: bare`]].map(([c, l]) => [l, get(`sim_aps_${n}`, c)])));
panel('9. gateway: events/s, each acknowledged and one action answered', 'events/s',
  [1, 2, 4].map((n) => [`${n} worker${n > 1 ? 's' : ''}`, get('gateway_events_actions_per_s', `libonebot-${n}w`)]));
panel('5b. member list end to end' + rt(get('members_rtt_ms', PEER), get('members_rtt_ms', US), 'peer/ours'), 'ms',
  [[US, get('members_rtt_ms', US)], [PEER, get('members_rtt_ms', PEER)], ['bare ws', get('members_rtt_ms', BARE)]]);

// Columns: label, value, colour (1 libonebot, 2 the TCP floor, 3 the others), value as printed.
const colour = (l) => (l === US || l.endsWith(': ours') ? 1 : l === 'TCP floor' ? 2 : 3);
const dat = panels.map((p) => (p.bars.length ? p.bars : [['none', 0]])
  .map(([l, v]) => `"${l}" ${v} ${colour(l)} "${fmt(v)}"`).join('\n')).join('\n\n\n');
writeFileSync(datPath, dat + '\n');
const q = (s) => `"${s.replace(/"/g, '\\"')}"`;
writeFileSync(panelsPath, [
  `npanels = ${panels.length}`,
  `array titles[${panels.length}] = [${panels.map((p) => q(p.title)).join(', ')}]`,
  `array ylabels[${panels.length}] = [${panels.map((p) => q(p.ylabel)).join(', ')}]`,
  `stamp = ${q(`libonebot benchmarks, ${info.date ?? ''}, ${info.cpu ?? ''} x${info.ncpu ?? '?'} (this machine's numbers; medians)`)}`,
  '',
].join('\n'));
