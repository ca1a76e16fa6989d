// The simulator's browser console in a real browser (Debian's chromium,
// driven by playwright-core): ctest runs it as console_browser.
//
//   node tests/console/console.test.mjs BUILD_DIR [--update-docs]
//
// It starts the simulator on the demo world (a free port, a temporary
// database, a bot token and a control token), then checks: without the
// token the page shows no group data (nor does its HTML, nor a socket with a
// wrong token); with it, the members of 100100 are those get_group_member_list
// gives a bot; a member who speaks in the page reaches a bot's event stream;
// the bot's ban shows as a notice, the member's mute and a wire entry; an
// uploaded image is shown as an image; at phone width the page fits and
// works. Screenshots go to BUILD_DIR/console/, and with --update-docs also
// to docs/console/ (docs/console.md shows them; `make console-screenshots`).
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, copyFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { deflateSync } from 'node:zlib';
import assert from 'node:assert/strict';

const here = dirname(fileURLToPath(import.meta.url));
const build = resolve(process.argv[2] || 'build');
const updateDocs = process.argv.includes('--update-docs');
const sim = join(build, 'onebot-sim');
const cli = join(build, 'tools', 'onebot');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const WAIT = 30000; // generous: the machine may be busy; nothing here depends on speed
const GROUP = 100100;
const BOT_TOKEN = 'bot-secret-' + process.pid;
const CONTROL_TOKEN = 'control-secret-' + process.pid;

for (const [what, path] of [['the simulator', sim], ['the onebot CLI', cli], ['chromium', chromiumPath]])
  if (!existsSync(path)) {
    console.error(`console test: ${what} is missing (${path}); scripts/deps.sh installs chromium, the build the rest`);
    process.exit(1);
  }
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (e) {
  console.error('console test: playwright-core is not installed: run scripts/deps.sh (npm ci in tests/console)');
  process.exit(1);
}

const tmp = mkdtempSync(join(tmpdir(), 'onebot-console-'));
const shots = join(build, 'console');
mkdirSync(shots, { recursive: true });
const children = [];
let browser;

function cleanup() {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  rmSync(tmp, { recursive: true, force: true });
}

function step(text) {
  console.log('console test: ' + text);
}

async function screenshot(page, name) {
  const file = join(shots, name);
  await page.screenshot({ path: file });
  if (updateDocs) {
    mkdirSync(join(here, '..', '..', 'docs', 'console'), { recursive: true });
    copyFileSync(file, join(here, '..', '..', 'docs', 'console', name));
  }
}

// Starts the simulator; resolves with its ws:// URL once it listens.
function startSim() {
  const p = spawn(sim, ['--listen', '127.0.0.1:0', '--db', join(tmp, 'world.db'), '--demo', '--token', BOT_TOKEN,
    '--control-token', CONTROL_TOKEN, '--files-root', tmp, '--heartbeat', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(p);
  return new Promise((ok, fail) => {
    let out = '';
    const look = (d) => {
      out += d;
      const m = /onebot-sim listening on (ws:\/\/[^\s]+)/.exec(out);
      if (m) ok(m[1]);
    };
    p.stdout.on('data', look);
    p.stderr.on('data', (d) => { out += d; });
    p.on('exit', (code) => fail(new Error('the simulator exited (' + code + '): ' + out)));
  });
}

// The bot: the onebot CLI with the bot's token.
const run = promisify(execFile);
async function bot(url, ...args) {
  const { stdout } = await run(cli, ['--url', url, '--token', BOT_TOKEN, '--json', ...args], { timeout: WAIT });
  return JSON.parse(stdout);
}

// A bot that follows the group's messages: resolves with the first line
// (its connection's lifecycle event), then `next()` gives the message.
function botEvents(url) {
  const p = spawn(cli, ['--url', url, '--token', BOT_TOKEN, '--json', 'events', '--filter', 'lifecycle,group_message',
    '--count', '2'], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(p);
  const lines = [];
  const waiters = [];
  let buf = '';
  p.stdout.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      lines.push(JSON.parse(buf.slice(0, i)));
      buf = buf.slice(i + 1);
      while (waiters.length && lines.length) waiters.shift()(lines.shift());
    }
  });
  const next = () => new Promise((ok, fail) => {
    if (lines.length) return ok(lines.shift());
    const t = setTimeout(() => fail(new Error('the bot received no event')), WAIT);
    waiters.push((v) => { clearTimeout(t); ok(v); });
  });
  return { next };
}

// A PNG of w x h pixels (a colour gradient), made here: no files needed.
function png(w, h) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 255] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) rows.set([36 + (x * 200) / w, 98 + (y * 120) / h, 199], y * (w * 3 + 1) + 1 + x * 3);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}
const PNG = png(160, 90);

async function main() {
  const wsUrl = await startSim();
  const http = wsUrl.replace(/^ws:/, 'http:');
  step('simulator at ' + wsUrl);
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox'] });

  // ---- no token: nothing of the groups ----
  const html = await (await fetch(http + '/console')).text();
  for (const secret of ['libonebot 演示群', '张伟', '100100']) assert(!html.includes(secret), 'the HTML holds ' + secret);
  const res = await fetch(http + '/console');
  assert.match(res.headers.get('content-security-policy') || '', /default-src 'none'/);
  assert.match(res.headers.get('content-type') || '', /^text\/html/);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const js = await fetch(http + '/console/console.js');
  assert.match(js.headers.get('content-type') || '', /^text\/javascript/);

  const desk = await browser.newContext({ viewport: { width: 1360, height: 860 } });
  const anon = await desk.newPage();
  await anon.goto(http + '/console');
  await anon.waitForSelector('#login:not([hidden])', { timeout: WAIT });
  assert.equal(await anon.locator('[data-testid="group"], [data-testid="member"], [data-testid="message"]').count(), 0);
  // the socket with a wrong token gets the refusal and no data
  const frames = await anon.evaluate((u) => new Promise((ok) => {
    const got = [];
    const ws = new WebSocket(u);
    ws.onmessage = (m) => got.push(m.data);
    ws.onclose = () => ok(got);
    setTimeout(() => { ws.close(); ok(got); }, 10000);
  }), wsUrl + '/console/ws?access_token=' + BOT_TOKEN);
  assert.equal(frames.length, 1, 'one refusal frame: ' + frames);
  assert.equal(JSON.parse(frames[0]).retcode, 1403);
  await screenshot(anon, 'console-login.png');
  // a wrong token typed into the prompt is refused too
  await anon.fill('#login-token', 'wrong');
  await anon.click('#login button[type="submit"]');
  await anon.waitForFunction(() => /refused/.test(document.getElementById('login-why').textContent), null, { timeout: WAIT });
  assert.equal(await anon.locator('[data-testid="member"]').count(), 0);
  step('without the token: no group data');

  // ---- with the token ----
  const page = await desk.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(http + '/console?token=' + encodeURIComponent(CONTROL_TOKEN));
  await page.locator(`[data-testid="group"][data-group-id="${GROUP}"]`).click({ timeout: WAIT });
  assert(!page.url().includes(CONTROL_TOKEN), 'the token stays in the address bar');
  const expected = await bot(wsUrl, 'get_group_member_list', String(GROUP));
  const members = expected.data || expected;
  assert(Array.isArray(members) && members.length > 5, 'get_group_member_list: ' + JSON.stringify(expected).slice(0, 200));
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="member"]').length === n, members.length,
    { timeout: WAIT });
  for (const m of members) {
    const row = page.locator(`[data-testid="member"][data-user-id="${m.user_id}"]`);
    const text = await row.textContent();
    assert(text.includes(m.card || m.nickname), `member ${m.user_id} shows ${m.card || m.nickname}: ${text}`);
    assert(text.includes(m.role), `member ${m.user_id} shows the role ${m.role}: ${text}`);
    if (m.title) assert(text.includes(m.title), `member ${m.user_id} shows the title ${m.title}`);
  }
  const speakers = await page.locator('[data-testid="speaker"] option').evaluateAll((o) => o.map((x) => Number(x.value)));
  assert.deepEqual(speakers.sort(), members.map((m) => m.user_id).sort());
  step(`the members of ${GROUP} match get_group_member_list (${members.length})`);

  // ---- a member speaks; the bot receives it ----
  const events = botEvents(wsUrl);
  const hello = await events.next();
  assert.equal(hello.meta_event_type, 'lifecycle');
  const alice = members.find((m) => m.user_id === 20004);
  const text = 'hello from the console ' + process.pid;
  await page.selectOption('[data-testid="speaker"]', String(alice.user_id));
  await page.fill('[data-testid="composer"]', text + ' @20005');
  await page.click('[data-testid="send"]');
  const got = await events.next();
  assert.equal(got.post_type, 'message');
  assert.equal(got.group_id, GROUP);
  assert.equal(got.user_id, alice.user_id);
  assert.deepEqual(got.message.map((s) => s.type), ['text', 'at']);
  assert.equal(got.message[0].data.text, text + ' ');
  assert.equal(String(got.message[1].data.qq), '20005');
  const shown = page.locator(`[data-testid="message"][data-message-id="${got.message_id}"]`);
  await shown.waitFor({ timeout: WAIT });
  assert((await shown.textContent()).includes(text));
  step('a member spoke in the page; the bot received message ' + got.message_id);

  // ---- the bot bans the member: notice, mute, wire ----
  await bot(wsUrl, 'set_group_ban', String(GROUP), String(alice.user_id), '--duration', '600');
  await page.locator('[data-testid="notice"]', { hasText: 'muted ' + (alice.card || alice.nickname) })
    .waitFor({ timeout: WAIT });
  await page.locator(`[data-testid="member"][data-user-id="${alice.user_id}"] .mute`).waitFor({ timeout: WAIT });
  const entry = page.locator('[data-testid="wire"] > *', { hasText: 'set_group_ban' }).first();
  await entry.waitFor({ timeout: WAIT });
  assert((await entry.textContent()).includes('retcode 0'));
  await entry.locator('summary').click();
  const detail = await entry.textContent();
  assert(detail.includes('"user_id": ' + alice.user_id) || detail.includes('"user_id":' + alice.user_id), detail);
  const wire = await page.locator('[data-testid="wire"]').textContent();
  for (const secret of [BOT_TOKEN, CONTROL_TOKEN]) assert(!wire.includes(secret), 'the wire shows a token');
  step('the bot\'s ban: notice, mute and wire entry shown');

  // ---- the bot speaks: its message is in the chat ----
  await bot(wsUrl, 'send_group_text', String(GROUP), '收到，已禁言 10 分钟');
  await page.locator('[data-testid="message"].bot', { hasText: '已禁言' }).waitFor({ timeout: WAIT });

  // ---- a member sends an image ----
  await page.selectOption('[data-testid="speaker"]', '20005');
  await page.setInputFiles('#image', { name: 'red.png', mimeType: 'image/png', buffer: PNG });
  await page.locator('#attached img').waitFor({ timeout: WAIT });
  await page.fill('[data-testid="composer"]', 'a picture');
  await page.click('[data-testid="send"]');
  const img = page.locator('[data-testid="message"]', { hasText: 'a picture' }).locator('img.image');
  await img.waitFor({ timeout: WAIT });
  await page.waitForFunction((e) => e.complete && e.naturalWidth === 160, await img.elementHandle(), { timeout: WAIT });
  step('an uploaded image is shown as an image');
  await screenshot(page, 'console-desktop.png');

  // ---- playing the group: the owner's panel, a join request, a recall, a leave ----
  const dave = page.locator('[data-testid="member"][data-user-id="20010"]');
  await dave.click();
  await page.click('#act-ban');
  await page.locator('[data-testid="notice"]', { hasText: 'muted dave.k' }).waitFor({ timeout: WAIT });
  await dave.locator('.mute').waitFor({ timeout: WAIT });
  await page.click('#act-admin');
  await page.locator('[data-testid="notice"]', { hasText: 'dave.k is now an admin' }).waitFor({ timeout: WAIT });
  await page.locator('[data-testid="member"][data-user-id="20010"] .role-admin').waitFor({ timeout: WAIT });
  await page.fill('#act-card', 'Dave (ops)');
  await page.click('#act-card-set');
  await page.locator('[data-testid="notice"]', { hasText: 'Dave (ops)' }).waitFor({ timeout: WAIT });
  await page.click('.play summary');
  await page.fill('#join-user', '30001');
  await page.fill('#join-nick', '新同学小林');
  await page.fill('#join-answer', '答案：42');
  await page.click('#join-form button[type="submit"]');
  await page.locator('[data-testid="notice"]', { hasText: '30001 asks to join: 答案：42' }).waitFor({ timeout: WAIT });
  await page.locator('#requests .request', { hasText: '新同学小林' }).waitFor({ timeout: WAIT });
  const said = page.locator('[data-testid="message"]', { hasText: 'a picture' });
  await said.hover();
  await said.locator('.recall').click();
  await page.locator('[data-testid="notice"]', { hasText: 'Bob recalled a message' }).waitFor({ timeout: WAIT });
  await page.locator('[data-testid="message"].recalled', { hasText: 'a picture' }).waitFor({ timeout: WAIT });
  await page.selectOption('[data-testid="speaker"]', '20011');
  await page.click('#leave');
  await page.locator('[data-testid="notice"]', { hasText: '新人孙悦 left the group' }).waitFor({ timeout: WAIT });
  await page.waitForFunction(() => !document.querySelector('[data-testid="member"][data-user-id="20011"]'), null,
    { timeout: WAIT });
  assert.deepEqual(pageErrors, []);
  step('the owner\'s panel, a join request, a recall and a leave work');

  // ---- phone width ----
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const mob = await phone.newPage();
  await mob.goto(http + '/console?token=' + encodeURIComponent(CONTROL_TOKEN));
  await mob.locator(`[data-testid="group"][data-group-id="${GROUP}"]`).waitFor({ timeout: WAIT });
  await mob.waitForFunction(() => document.querySelectorAll('[data-testid="member"]').length > 5, null, { timeout: WAIT });
  const fits = await mob.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
  assert(fits, 'the page is wider than a phone');
  for (const id of ['composer', 'send', 'speaker']) {
    const box = await mob.locator(`[data-testid="${id}"]`).boundingBox();
    assert(box && box.x >= 0 && box.x + box.width <= 391, `${id} is not within the phone's width`);
  }
  await mob.selectOption('[data-testid="speaker"]', '20009');
  await mob.locator('[data-testid="composer"]').tap();
  await mob.fill('[data-testid="composer"]', 'from a phone');
  await mob.locator('[data-testid="send"]').tap();
  await mob.locator('[data-testid="message"]', { hasText: 'from a phone' }).waitFor({ timeout: WAIT });
  // the desktop page sees it too, pushed
  await page.locator('[data-testid="message"]', { hasText: 'from a phone' }).waitFor({ timeout: WAIT });
  await screenshot(mob, 'console-phone.png');
  step('at phone width the page fits and works');
}

try {
  await main();
  console.log('console test: ok');
} catch (e) {
  console.error('console test: FAILED: ' + (e && e.stack ? e.stack : e));
  process.exitCode = 1;
} finally {
  if (browser) await browser.close().catch(() => {});
  cleanup();
}
