// The Node peers for libonebot's benchmarks, driven by bench/run.sh against
// the same C responder as bench_client / bench_events.
//
//   node peer.mjs napcat|bare PORT seq N | pipe N R | calls N M R | members R | events N | inflight N
//   node peer.mjs decode FILE R
//   node peer.mjs napcat|bare PORT simload MEMBERS SECONDS CLIENTS
//       (against `bench_sim --serve MEMBERS`: the same mix as bench_sim.c)
//
// "napcat" is node-napcat-ts (NCWebsocket, its public API, default options);
// "bare" is the least a Node client can do: the ws package, JSON.stringify,
// a Map of echoes and JSON.parse, nothing else. It shows how much of the
// peer's cost is Node itself. Each prints JSON lines like the C programs.
import { readFileSync } from 'node:fs';
import { NCWebsocket } from 'node-napcat-ts';
import WebSocket from 'ws';

const GROUP_ID = 736120411;

function emit(scenario, client, value) {
  process.stdout.write(JSON.stringify({ scenario, client, value: Number(value.toPrecision(6)) }) + '\n');
}

const now = () => Number(process.hrtime.bigint()) / 1e9;
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// The least a Node OneBot client does: one socket, echo -> promise, events to handlers.
class BareClient {
  #ws; #pending = new Map(); #next = 0; #handlers = new Map();
  constructor(url) { this.url = url; }
  connect() {
    return new Promise((resolve, reject) => {
      this.#ws = new WebSocket(this.url);
      this.#ws.on('open', resolve);
      this.#ws.on('error', reject);
      this.#ws.on('message', (data) => {
        const msg = JSON.parse(data.toString());
        if (msg.echo !== undefined && msg.echo !== null && this.#pending.has(msg.echo)) {
          const p = this.#pending.get(msg.echo);
          this.#pending.delete(msg.echo);
          if (msg.status === 'ok') p.resolve(msg.data); else p.reject(msg);
        } else if (msg.post_type === 'message' && msg.message_type === 'group') {
          for (const h of this.#handlers.get('message.group') ?? []) h(msg);
        }
      });
    });
  }
  send(action, params) {
    const echo = String(this.#next++);
    return new Promise((resolve, reject) => {
      this.#pending.set(echo, { resolve, reject });
      this.#ws.send(JSON.stringify({ action, params, echo }));
    });
  }
  on(event, handler) {
    const list = this.#handlers.get(event) ?? [];
    list.push(handler);
    this.#handlers.set(event, list);
  }
  set_group_ban(p) { return this.send('set_group_ban', p); }
  get_group_member_list(p) { return this.send('get_group_member_list', p); }
  async disconnect() { this.#ws.close(); }
}

const SIM_TOKEN = 'bench-control';

async function connect(kind, port, path = '', token = '') {
  if (kind === 'bare') {
    const c = new BareClient(`ws://127.0.0.1:${port}${path}${token ? `?access_token=${token}` : ''}`);
    await c.connect();
    return c;
  }
  const c = new NCWebsocket({ baseUrl: `ws://127.0.0.1:${port}${path}`, accessToken: token, reconnection: { enable: false } });
  await c.connect();
  return c;
}

async function runSeq(c, who, n) {
  for (let i = 0; i < Math.floor(n / 10) + 1; i++) await c.set_group_ban({ group_id: GROUP_ID, user_id: 1000000000 + i, duration: 60 });
  const cpu0 = cpuSeconds(), t0 = now();
  for (let i = 0; i < n; i++) await c.set_group_ban({ group_id: GROUP_ID, user_id: 1000000000 + i, duration: 60 });
  const wall = now() - t0, cpu = cpuSeconds() - cpu0;
  emit('seq_us', who, (wall * 1e6) / n);
  emit('cpu_seq_us', who, (cpu * 1e6) / n);
}

async function pipeRound(c, n) {
  const t0 = now();
  const calls = new Array(n);
  for (let i = 0; i < n; i++) calls[i] = c.set_group_ban({ group_id: GROUP_ID, user_id: 1000000000 + i, duration: 60 });
  await Promise.all(calls);
  return now() - t0;
}

async function runPipe(c, who, n, rounds) {
  await pipeRound(c, n);
  const cpu0 = cpuSeconds();
  let wall = 0;
  for (let r = 0; r < rounds; r++) wall += await pipeRound(c, n);
  const cpu = cpuSeconds() - cpu0;
  emit('pipe_cps', who, (n * rounds) / wall);
  emit('cpu_pipe_us', who, (cpu * 1e6) / (n * rounds));
}

async function runMembers(c, who, rounds) {
  const ms = [];
  for (let r = -1; r < rounds; r++) {
    const t0 = now();
    const list = await c.get_group_member_list({ group_id: GROUP_ID });
    const t = now() - t0;
    if (list.length !== 3000 || list[0].role !== 'owner') throw new Error('member list content');
    if (r >= 0) ms.push(t * 1e3);
  }
  emit('members_rtt_ms', who, median(ms));
}

async function runEvents(c, who, n) {
  let seen = 0, idSum = 0, wrong = 0;
  let done;
  const finished = new Promise((resolve) => { done = resolve; });
  c.on('message.group', (ev) => {
    if (ev.group_id !== GROUP_ID || ev.message.length !== 2 || ev.message[0].type !== 'at' || !ev.sender.nickname) wrong++;
    idSum += ev.message_id;
    if (++seen === n) done();
  });
  const t0 = now(), cpu0 = cpuSeconds();
  await c.send('bench_flood', { count: n });
  await finished;
  const wall = now() - t0, cpu = cpuSeconds() - cpu0;
  let want = 0;
  for (let i = 0; i < n; i++) want += 1200000000 + i;
  if (wrong || idSum !== want) throw new Error(`events: ${wrong} wrong, sum ${idSum} != ${want}`);
  emit('events_per_s', who, n / wall);
  emit('cpu_event_us', who, (cpu * 1e6) / n);
}

// Memory per call in flight, as bench_client's inflight mode: N set_group_ban
// calls made at once, nothing awaited until the last is made, so the replies
// wait in the socket; (memory with N) - (memory with 1) over N - 1, as RSS and
// as the JS heap in use. With --expose-gc a full collection runs before each
// reading, so only what the calls keep alive counts.
async function runInflight(c, who, n) {
  const gc = globalThis.gc ?? (() => {});
  const calls = new Array(n);
  calls[0] = c.set_group_ban({ group_id: GROUP_ID, user_id: 1000000000, duration: 60 });
  gc();
  const one = process.memoryUsage();
  for (let i = 1; i < n; i++) calls[i] = c.set_group_ban({ group_id: GROUP_ID, user_id: 1000000000 + i, duration: 60 });
  gc();
  const all = process.memoryUsage();
  await Promise.all(calls);
  emit('inflight_rss_b', who, (all.rss - one.rss) / (n - 1));
  emit('inflight_heap_b', who, (all.heapUsed - one.heapUsed) / (n - 1));
}

// Scenario 7 with this peer: the mix of bench_sim.c's load_thread, from CLIENTS
// connections in this one process (Node runs them on one event loop).
async function runSimLoad(kind, who, port, members, seconds, clients) {
  const SIM_GROUP = 736120411, FIRST = 2000000000;
  const conns = [];
  for (let i = 0; i < clients; i++) conns.push(await connect(kind, port, '/api', SIM_TOKEN));
  const deadline = now() + seconds;
  let actions = 0, writes = 0;
  const t0 = now();
  await Promise.all(conns.map(async (c, index) => {
    const ownAdmin = FIRST + 1 + index;
    for (let k = 0; now() < deadline; k++) {
      const uid = FIRST + 16 + ((index * 7919 + k * 31) % (members - 16));
      const step = k % 20;
      let write = true;
      if (step < 6) await c.send('set_group_ban', { group_id: SIM_GROUP, user_id: uid, duration: step % 2 ? 600 : 0 });
      else if (step < 9) await c.send('set_group_card', { group_id: SIM_GROUP, user_id: uid, card: `card ${k}` });
      else if (step === 9) await c.send('set_group_admin', { group_id: SIM_GROUP, user_id: ownAdmin, enable: Math.floor(k / 20) % 2 === 0 });
      else if (step === 10) await c.send('set_group_special_title', { group_id: SIM_GROUP, user_id: uid, special_title: 'bench' });
      else if (step < 17 || (step === 19 && Math.floor(k / 20) % 5 !== 0)) {
        write = false;
        await c.send('get_group_member_info', { group_id: SIM_GROUP, user_id: uid, no_cache: false });
      } else if (step < 19) {
        write = false;
        await c.send('get_group_info', { group_id: SIM_GROUP, no_cache: false });
      } else {
        write = false;
        const list = await c.send('get_group_member_list', { group_id: SIM_GROUP, no_cache: false });
        if (list.length < members) throw new Error('member list too short');
      }
      actions++;
      writes += write;
    }
  }));
  const wall = now() - t0;
  emit(`sim_aps_${members}`, who, actions / wall);
  emit(`sim_wps_${members}`, who, writes / wall);
  for (const c of conns) await c.disconnect();
}

function runDecode(file, runs) {
  const bytes = readFileSync(file);
  const text = bytes.toString();
  const peer = [], bare = [];
  for (let r = -2; r < runs; r++) {
    // What node-napcat-ts does with each incoming frame before dispatch:
    // Buffer -> string, a trim() check that it looks like JSON, JSON.parse.
    let t0 = now();
    const s = bytes.toString();
    if (!(s.trim().startsWith('{') || s.trim().startsWith('['))) throw new Error('not JSON');
    let v = JSON.parse(s);
    let t = now() - t0;
    if (v.data.length !== 3000) throw new Error('decode');
    if (r >= 0) peer.push(t * 1e3);
    // The bare parse: a string already in memory, JSON.parse, nothing else.
    t0 = now();
    v = JSON.parse(text);
    t = now() - t0;
    if (v.data.length !== 3000) throw new Error('decode');
    if (r >= 0) bare.push(t * 1e3);
  }
  emit('decode_ms', 'node-napcat-ts', median(peer));
  emit('decode_ms', 'node-bare', median(bare));
}

async function main() {
  const [kindOrMode, ...rest] = process.argv.slice(2);
  if (kindOrMode === 'decode') {
    runDecode(rest[0], Number(rest[1] ?? 40));
    return;
  }
  const kind = kindOrMode;
  const who = kind === 'bare' ? 'node-bare' : 'node-napcat-ts';
  const [port, mode, a, b, d] = rest;
  if (mode === 'simload') {
    await runSimLoad(kind, who, Number(port), Number(a), Number(b), Number(d));
    return;
  }
  const c = await connect(kind, Number(port));
  if (mode === 'seq') await runSeq(c, who, Number(a));
  else if (mode === 'pipe') await runPipe(c, who, Number(a), Number(b));
  else if (mode === 'calls') {
    await runSeq(c, who, Number(a));
    await runPipe(c, who, Number(b), Number(d));
    emit('rss_kb', who, process.resourceUsage().maxRSS);
  } else if (mode === 'members') await runMembers(c, who, Number(a));
  else if (mode === 'events') await runEvents(c, who, Number(a));
  else if (mode === 'inflight') await runInflight(c, who, Number(a));
  else throw new Error(`unknown mode ${mode}`);
  await c.disconnect();
}

main().then(() => process.exit(0), (e) => {
  process.stderr.write(`peer: ${e?.stack ?? JSON.stringify(e)}\n`);
  process.exit(1);
});
