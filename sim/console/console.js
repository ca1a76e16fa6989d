/* The simulator's browser console (docs/console.md). Plain script, no
 * framework: it opens the console's WebSocket (/console/ws), reads the
 * world with the simulator's own actions (get_group_member_list,
 * sim_get_messages...), plays members with the sim_* control actions,
 * and shows what is pushed: events as chat lines and notices, and a wire
 * entry for each action a bot sent. It polls nothing. */
'use strict';

const TOKEN_KEY = 'onebot-console-token';
const MAX_WIRE = 300;    /* wire entries kept on the page */
const MAX_CHAT = 500;    /* chat lines kept on the page */
const MAX_IMAGE = 8 << 20;

const state = {
  ws: null,
  opened: false,
  refused: false,
  token: null,
  selfId: 0,
  groups: [],
  gid: 0,
  members: new Map(),   /* user_id -> member of the selected group */
  names: new Map(),     /* user_id -> last name seen (also after they left) */
  ownerId: 0,
  acting: 0,            /* the member the owner panel acts on */
  calls: new Map(),     /* echo -> {resolve, reject} */
  echo: 0,
  image: null,          /* base64 of the attached image */
  refreshTimer: 0,
};

/* ------------------------------------------------------------------ helpers */

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

function clock(seconds) {
  const d = new Date(seconds * 1000);
  return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

function when(seconds) {
  const d = new Date(seconds * 1000);
  return d.toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

function nameOf(uid) {
  uid = Number(uid);
  if (uid === state.selfId) return (state.names.get(uid) || 'bot') + ' (bot)';
  return state.names.get(uid) || String(uid);
}

function toast(text) {
  const t = $('toast');
  t.textContent = text;
  t.hidden = !text;
}

function setStatus(text, ok) {
  const s = $('status');
  s.textContent = text;
  s.classList.toggle('ok', !!ok);
}

function size(n) {
  if (n >= 1 << 20) return (n / (1 << 20)).toFixed(1) + ' MiB';
  if (n >= 1024) return (n / 1024).toFixed(1) + ' KiB';
  return n + ' B';
}

/* A download link of the simulator, made relative to this page: the
   simulator names itself by its listening address, the browser may know
   it by another name, and the page's policy loads images from itself only. */
function local(url) {
  try {
    const u = new URL(url, location.href);
    if (u.pathname.startsWith('/download') || u.pathname.startsWith('/ftn_handler/')) return u.pathname + u.search;
  } catch (e) { /* not a URL */ }
  return null;
}

/* ------------------------------------------------------------------ the socket */

function call(action, params) {
  return new Promise((resolve, reject) => {
    if (!state.ws || state.ws.readyState !== WebSocket.OPEN) {
      reject(new Error('not connected'));
      return;
    }
    const echo = 'c' + (++state.echo);
    state.calls.set(echo, { resolve, reject, action });
    state.ws.send(JSON.stringify({ action, params: params || {}, echo }));
  });
}

/* call, with a failure shown to the user instead of thrown */
async function act(action, params) {
  try {
    const data = await call(action, params);
    toast('');
    return data;
  } catch (e) {
    toast(action + ': ' + e.message);
    return undefined;
  }
}

function connect() {
  const q = state.token ? '?access_token=' + encodeURIComponent(state.token) : '';
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new WebSocket(proto + '//' + location.host + '/console/ws' + q);
  state.ws = ws;
  state.opened = false;
  state.refused = false;
  setStatus('connecting…');
  /* Accepted, the socket answers; refused, it sends one 1403 frame and closes. */
  ws.onopen = () => {
    state.opened = true;
    call('get_login_info').then(onConnected, () => {});
  };
  ws.onmessage = (m) => {
    let f;
    try { f = JSON.parse(m.data); } catch (e) { return; }
    if (f.wire) return onWire(f.wire);
    if (f.post_type) return onEvent(f);
    if (typeof f.echo === 'string' && state.calls.has(f.echo)) {
      const c = state.calls.get(f.echo);
      state.calls.delete(f.echo);
      if (f.retcode === 0) c.resolve(f.data);
      else c.reject(new Error(f.message || f.wording || 'retcode ' + f.retcode));
      return;
    }
    if (f.retcode === 1403) state.refused = true; /* the token was refused */
  };
  ws.onclose = () => {
    for (const c of state.calls.values()) c.reject(new Error('disconnected'));
    state.calls.clear();
    if (state.refused) return showLogin(!!state.token);
    setStatus('disconnected: trying again…');
    setTimeout(connect, 2000);
  };
}

function onConnected(me) {
  state.selfId = me.user_id;
  state.names.set(me.user_id, me.nickname);
  $('who').textContent = 'bot ' + me.nickname + ' (' + me.user_id + ')';
  $('login').hidden = true;
  $('app').hidden = false;
  setStatus('connected', true);
  loadGroups(true);
}

function showLogin(wrong) {
  sessionStorage.removeItem(TOKEN_KEY);
  state.token = null;
  $('app').hidden = true;
  $('login').hidden = false;
  $('login-why').textContent = wrong
    ? 'The simulator refused that token. The console needs the control token (--control-token).'
    : 'This simulator needs its control token (--control-token) to open the console, or, without one, a ' +
      'browser on the same machine.';
  setStatus('not connected');
  $('login-token').focus();
}

/* ------------------------------------------------------------------ groups */

/* The group list; reselect: read the selected group again too (after a
   (re)connection, which may have missed events). */
async function loadGroups(reselect) {
  const groups = await act('get_group_list', { no_cache: true });
  if (!groups) return;
  state.groups = groups;
  const ul = $('groups');
  ul.replaceChildren();
  for (const g of groups) {
    ul.append(el('li', {},
      el('button', {
        type: 'button', class: 'group', 'data-testid': 'group', 'data-group-id': g.group_id,
        onclick: () => selectGroup(g.group_id),
      }, el('span', { class: 'gname', text: g.group_name }),
      el('span', { class: 'muted', text: g.group_id + ' · ' + g.member_count + ' members' }))));
  }
  const keep = groups.find((g) => g.group_id === state.gid);
  if (keep && !reselect) markSelected();
  else if (keep) selectGroup(keep.group_id);
  else if (groups.length) selectGroup(groups[0].group_id);
}

function markSelected() {
  for (const b of document.querySelectorAll('[data-testid="group"]'))
    b.classList.toggle('selected', Number(b.dataset.groupId) === state.gid);
}

async function selectGroup(gid) {
  state.gid = gid;
  state.acting = 0;
  $('acting').hidden = true;
  markSelected();
  const g = state.groups.find((x) => x.group_id === gid);
  $('group-title').textContent = g ? g.group_name + ' (' + gid + ')' : String(gid);
  $('messages').replaceChildren();
  await refreshMembers();
  const msgs = await act('sim_get_messages', { group_id: gid, count: 100 });
  if (state.gid !== gid || !msgs) return;
  for (const m of msgs) addMessage(m, m.recalled);
  refreshPanels();
}

/* Re-reads the side panels once after a burst of pushed changes. */
function scheduleRefresh() {
  clearTimeout(state.refreshTimer);
  state.refreshTimer = setTimeout(() => { refreshMembers(); refreshPanels(); }, 150);
}

/* ------------------------------------------------------------------ members */

function memberName(m) {
  return m.card || m.nickname || String(m.user_id);
}

async function refreshMembers() {
  const gid = state.gid;
  const list = await act('get_group_member_list', { group_id: gid, no_cache: true });
  if (!list || state.gid !== gid) return;
  const rank = { owner: 0, admin: 1, member: 2 };
  list.sort((a, b) => (rank[a.role] - rank[b.role]) || (a.user_id - b.user_id));
  state.members = new Map(list.map((m) => [m.user_id, m]));
  state.ownerId = (list.find((m) => m.role === 'owner') || {}).user_id || 0;
  for (const m of list) state.names.set(m.user_id, memberName(m));
  $('member-count').textContent = '(' + list.length + ')';
  const now = Date.now() / 1000;
  const ul = $('members');
  ul.replaceChildren();
  for (const m of list) {
    const muted = m.shut_up_timestamp > now;
    ul.append(el('li', {
      class: 'member' + (state.acting === m.user_id ? ' selected' : ''),
      'data-testid': 'member', 'data-user-id': m.user_id, tabindex: 0,
      onclick: () => openActing(m.user_id),
      onkeydown: (e) => { if (e.key === 'Enter') openActing(m.user_id); },
    },
    el('span', { class: 'mname', text: memberName(m) }),
    el('span', { class: 'role role-' + m.role, text: m.role }),
    m.title ? el('span', { class: 'title', text: m.title }) : null,
    m.user_id === state.selfId ? el('span', { class: 'badge', text: 'bot' }) : null,
    muted ? el('span', { class: 'mute', 'data-muted-until': m.shut_up_timestamp,
      text: 'muted until ' + when(m.shut_up_timestamp) }) : null,
    el('span', { class: 'muted uid', text: m.user_id }),
    el('button', {
      type: 'button', class: 'mini', title: 'mention', text: '@',
      onclick: (e) => { e.stopPropagation(); mention(m.user_id); },
    })));
  }
  fillSpeakers(list);
  if (state.acting) openActing(state.acting);
}

function fillSpeakers(list) {
  const sel = $('speaker');
  const keep = Number(sel.value);
  sel.replaceChildren();
  for (const m of list) {
    const label = memberName(m) + ' (' + m.user_id + ')' + (m.user_id === state.selfId ? ' · bot' : '');
    sel.append(el('option', { value: m.user_id, text: label }));
  }
  const fallback = list.find((m) => m.user_id !== state.selfId);
  if (state.members.has(keep)) sel.value = String(keep);
  else if (fallback) sel.value = String(fallback.user_id);
}

function mention(uid) {
  const c = $('composer');
  c.value = (c.value && !c.value.endsWith(' ') ? c.value + ' ' : c.value) + '@' + uid + ' ';
  c.focus();
}

function openActing(uid) {
  const m = state.members.get(uid);
  if (!m) {
    state.acting = 0;
    $('acting').hidden = true;
    return;
  }
  state.acting = uid;
  for (const li of document.querySelectorAll('[data-testid="member"]'))
    li.classList.toggle('selected', Number(li.dataset.userId) === uid);
  $('acting').hidden = false;
  $('acting-name').textContent = memberName(m) + ' (' + uid + ')';
  $('act-card').value = m.card || '';
  $('act-title').value = m.title || '';
  $('act-admin').textContent = m.role === 'admin' ? 'Remove admin' : 'Make admin';
}

/* The owner acts through the sim_* actions (operator: the owner); card and
   title are the bot's own actions, which act as the owner when the bot owns
   the group (it owns the demo's 100100). */
async function ownerAct(what) {
  const uid = state.acting, gid = state.gid, m = state.members.get(uid);
  if (!m) return;
  const op = state.ownerId;
  if (what === 'card') await act('set_group_card', { group_id: gid, user_id: uid, card: $('act-card').value });
  if (what === 'title')
    await act('set_group_special_title', { group_id: gid, user_id: uid, special_title: $('act-title').value });
  if (what === 'ban' || what === 'unban') {
    const duration = what === 'ban' ? Number($('act-duration').value) : 0;
    await act('sim_member_ban', { group_id: gid, user_id: uid, duration, operator_id: op });
  }
  if (what === 'admin')
    await act('sim_set_role', { group_id: gid, user_id: uid, role: m.role === 'admin' ? 'member' : 'admin' });
  if (what === 'kick') await act('sim_member_kick', { group_id: gid, user_id: uid, operator_id: op });
  scheduleRefresh();
}

/* ------------------------------------------------------------------ side panels */

async function refreshPanels() {
  const gid = state.gid;
  const [reqs, files, notices, essence] = await Promise.all([
    act('sim_get_requests', { group_id: gid }),
    act('get_group_root_files', { group_id: gid }),
    act('_get_group_notice', { group_id: gid }),
    act('get_essence_msg_list', { group_id: gid }),
  ]);
  if (state.gid !== gid) return;
  renderRequests(reqs || []);
  renderFiles($('files'), files || { files: [], folders: [] });
  const nl = $('notices');
  nl.replaceChildren();
  for (const n of notices || [])
    nl.append(el('li', {}, el('div', { class: 'muted', text: nameOf(n.sender_id) + ' · ' + when(n.publish_time) }),
      el('div', { class: 'pre', text: (n.message && n.message.text) || '' })));
  if (!(notices || []).length) nl.append(el('li', { class: 'muted', text: 'none' }));
  const el2 = $('essence');
  el2.replaceChildren();
  for (const e of essence || [])
    el2.append(el('li', {}, el('div', { class: 'muted', text: e.sender_nick + ' · set by ' + e.operator_nick }),
      el('div', {}, ...segments(e.content || []))));
  if (!(essence || []).length) el2.append(el('li', { class: 'muted', text: 'none' }));
}

function renderRequests(list) {
  const ul = $('requests');
  ul.replaceChildren();
  $('request-count').textContent = list.length ? '(' + list.length + ')' : '';
  for (const r of list) {
    const answer = (approve) => async () => {
      await act('set_group_add_request', { flag: r.flag, sub_type: r.sub_type, approve });
      scheduleRefresh();
    };
    ul.append(el('li', { class: 'request', 'data-flag': r.flag },
      el('div', {}, el('b', { text: r.nickname || String(r.user_id) }), ' ', el('span', { class: 'muted', text: r.user_id + ' · ' + r.sub_type })),
      el('div', { class: 'pre', text: r.comment }),
      el('div', { class: 'row' },
        el('button', { type: 'button', text: 'Approve (as the bot)', onclick: answer(true) }),
        el('button', { type: 'button', text: 'Reject', onclick: answer(false) }))));
  }
  if (!list.length) ul.append(el('li', { class: 'muted', text: 'none' }));
}

function fileRow(f) {
  return el('li', { class: 'file' }, '📄 ', el('span', { text: f.file_name }),
    el('span', { class: 'muted', text: ' ' + size(f.size) + ' · ' + (f.uploader_name || f.uploader) }));
}

function renderFiles(ul, listing) {
  ul.replaceChildren();
  for (const d of listing.folders || []) {
    const inner = el('ul', { class: 'plain' });
    const det = el('details', {}, el('summary', { text: '📁 ' + d.folder_name + ' (' + d.total_file_count + ')' }), inner);
    det.addEventListener('toggle', async () => {
      if (!det.open) return;
      const sub = await act('get_group_files_by_folder', { group_id: state.gid, folder_id: d.folder_id });
      if (sub) renderFiles(inner, sub);
    });
    ul.append(el('li', {}, det));
  }
  for (const f of listing.files || []) ul.append(fileRow(f));
  if (!ul.children.length) ul.append(el('li', { class: 'muted', text: 'no files' }));
}

/* ------------------------------------------------------------------ chat */

function segments(segs) {
  const out = [];
  for (const s of segs) {
    const d = s.data || {};
    switch (s.type) {
      case 'text': out.push(d.text || ''); break;
      case 'at':
        out.push(el('span', { class: 'at', text: '@' + (d.qq === 'all' ? '全体成员' : nameOf(d.qq)) }));
        break;
      case 'face': out.push(el('span', { class: 'face', title: 'face ' + d.id, text: '[face ' + d.id + ']' })); break;
      case 'image': {
        const src = local(d.url || '') || (String(d.file || '').startsWith('base64://')
          ? 'data:image/png;base64,' + String(d.file).slice(9) : null);
        out.push(src ? el('img', { class: 'image', src, alt: d.summary || d.file || 'image', loading: 'lazy' })
          : el('span', { class: 'seg', text: '[image]' }));
        break;
      }
      case 'reply': {
        const to = document.querySelector('[data-testid="message"][data-message-id="' + Number(d.id) + '"] .body');
        out.push(el('div', { class: 'reply', text: '↩ ' + (to ? to.textContent.slice(0, 60) : '#' + d.id) }));
        break;
      }
      case 'file': out.push(el('span', { class: 'seg', text: '📎 ' + (d.name || d.file || 'file') })); break;
      default: out.push(el('span', { class: 'seg', text: '[' + s.type + ']' }));
    }
  }
  return out;
}

function scrollChat(box, stick) {
  while (box.children.length > MAX_CHAT) box.firstChild.remove();
  if (stick) box.scrollTop = box.scrollHeight;
}

function nearBottom(box) {
  return box.scrollHeight - box.scrollTop - box.clientHeight < 80;
}

function addMessage(m, recalled) {
  if (m.group_id !== state.gid) return;
  const box = $('messages');
  if (box.querySelector('[data-message-id="' + Number(m.message_id) + '"]')) return;
  const stick = nearBottom(box);
  const uid = m.user_id;
  const s = m.sender || {};
  const name = s.card || s.nickname || nameOf(uid);
  const line = el('div', {
    class: 'msg' + (uid === state.selfId ? ' bot' : '') + (recalled ? ' recalled' : ''),
    'data-testid': 'message', 'data-message-id': m.message_id, 'data-user-id': uid,
  },
  el('div', { class: 'meta' },
    el('span', { class: 'who', text: name + (uid === state.selfId ? ' (bot)' : '') }),
    el('span', { class: 'muted', text: ' ' + uid + ' · ' + clock(m.time) }),
    el('button', {
      type: 'button', class: 'mini recall', title: 'the sender recalls it', text: 'recall',
      onclick: () => act('sim_member_recall', { message_id: m.message_id }),
    })),
  el('div', { class: 'body' }, ...segments(Array.isArray(m.message) ? m.message : [])));
  box.append(line);
  scrollChat(box, stick);
  /* an image takes its height when it loads: keep the newest line in view */
  for (const img of line.querySelectorAll('img')) img.addEventListener('load', () => scrollChat(box, stick));
}

function addNotice(text) {
  const box = $('messages');
  const stick = nearBottom(box);
  box.append(el('div', { class: 'notice', 'data-testid': 'notice', text }));
  scrollChat(box, stick);
}

function duration(s) {
  if (s % 86400 === 0) return s / 86400 + ' d';
  if (s % 3600 === 0) return s / 3600 + ' h';
  if (s % 60 === 0) return s / 60 + ' min';
  return s + ' s';
}

/* One notice line for an event of the selected group; null for none. */
function noticeText(e) {
  const who = nameOf(e.user_id), by = nameOf(e.operator_id);
  switch (e.notice_type || e.request_type) {
    case 'group_ban':
      if (e.user_id === 0) return by + (e.sub_type === 'ban' ? ' muted the whole group' : ' lifted the whole-group mute');
      return e.sub_type === 'ban' ? by + ' muted ' + who + ' for ' + duration(e.duration) : by + ' unmuted ' + who;
    case 'group_increase':
      return who + ' joined' + (e.sub_type === 'invite' ? ' (invited by ' + by + ')' : ' (approved by ' + by + ')');
    case 'group_decrease':
      if (e.sub_type === 'leave') return who + ' left the group';
      return by + ' removed ' + who + ' from the group';
    case 'group_admin': return who + (e.sub_type === 'set' ? ' is now an admin' : ' is no longer an admin');
    case 'group_card': return who + "'s card: " + (e.card_old || '(none)') + ' → ' + (e.card_new || '(none)');
    case 'group_recall': return by + ' recalled ' + (e.operator_id === e.user_id ? 'a message' : who + "'s message");
    case 'essence':
      return by + (e.sub_type === 'add' ? ' made ' : ' removed from essence ') + nameOf(e.sender_id) + "'s message" +
        (e.sub_type === 'add' ? ' an essence message' : '');
    case 'group_upload': return who + ' uploaded ' + ((e.file && e.file.name) || 'a file');
    case 'notify':
      if (e.sub_type === 'title') return who + ' got the title ' + e.title;
      if (e.sub_type === 'group_name') return 'the group is now called ' + e.name_new;
      if (e.sub_type === 'poke') return who + ' poked ' + nameOf(e.target_id);
      return e.sub_type;
    case 'group':
      return (e.sub_type === 'invite' ? who + ' invites the bot' : who + ' asks to join') +
        (e.comment ? ': ' + e.comment : '');
    default: return e.notice_type || e.request_type;
  }
}

function onEvent(e) {
  if (e.post_type === 'meta_event' || e.group_id === undefined) return;
  const joinsOrLeaves = e.notice_type === 'group_increase' || e.notice_type === 'group_decrease';
  if (joinsOrLeaves) loadGroups(false); /* member counts; the bot may have left or joined */
  if (e.group_id !== state.gid) return;
  if (e.post_type === 'message') {
    addMessage(e, false);
    return;
  }
  if (e.notice_type === 'group_recall') {
    const m = document.querySelector('[data-testid="message"][data-message-id="' + Number(e.message_id) + '"]');
    if (m) m.classList.add('recalled');
  }
  addNotice(noticeText(e));
  scheduleRefresh();
}

/* ------------------------------------------------------------------ wire */

function pretty(v) {
  if (typeof v === 'string') return v;
  return JSON.stringify(v, null, 1);
}

function onWire(w) {
  const list = $('wire');
  const ok = w.retcode === 0;
  const t = new Date(w.time_ms);
  const stamp = t.toLocaleTimeString([], { hour12: false }) + '.' + String(t.getMilliseconds()).padStart(3, '0');
  const entry = el('li', { class: 'wire-entry' + (ok ? '' : ' failed'), 'data-action': w.action || '' },
    el('div', { class: 'wire-head' },
      el('span', { class: 'muted', text: stamp }),
      el('b', { text: w.action || '(no action)' }),
      el('span', { class: ok ? 'rc ok' : 'rc', text: 'retcode ' + w.retcode }),
      el('span', { class: 'muted', text: 'from ' + w.client + (w.control ? ' (control token)' : '') })),
    el('details', {},
      el('summary', { text: 'params and reply' }),
      el('pre', { text: 'params ' + pretty(w.params) }),
      el('pre', { text: 'reply ' + pretty(w.reply) })));
  list.prepend(entry);
  while (list.children.length > MAX_WIRE) list.lastChild.remove();

  /* The bot's own messages come with no event (as NapCat's): show them
     from the reply. */
  const p = w.params && typeof w.params === 'object' ? w.params : {};
  const action = String(w.action || '').replace(/_async$|_rate_limited$/, '');
  const reply = w.reply && typeof w.reply === 'object' ? w.reply : {};
  if (!ok || Number(p.group_id) !== state.gid) return;
  if ((action === 'send_group_msg' || action === 'send_msg') && reply.data && reply.data.message_id)
    showSent(reply.data.message_id);
  else if (!action.startsWith('get_') && !action.startsWith('_get_')) scheduleRefresh();
}

async function showSent(id) {
  const m = await act('get_msg', { message_id: id });
  if (m) addMessage(m, false);
}

/* ------------------------------------------------------------------ playing members */

/* The composer's text as segments: @12345 and @all are mentions. */
function composed(text) {
  const segs = [];
  const re = /@(\d{5,12}|all)\b/g;
  let last = 0, m;
  while ((m = re.exec(text))) {
    if (m.index > last) segs.push({ type: 'text', data: { text: text.slice(last, m.index) } });
    segs.push({ type: 'at', data: { qq: m[1] } });
    last = re.lastIndex;
  }
  if (last < text.length) segs.push({ type: 'text', data: { text: text.slice(last) } });
  if (state.image) segs.push({ type: 'image', data: { file: 'base64://' + state.image } });
  return segs;
}

async function send(ev) {
  ev.preventDefault();
  const text = $('composer').value;
  const speaker = Number($('speaker').value);
  const message = composed(text);
  if (!message.length || !speaker) return;
  const gid = state.gid;
  const r = speaker === state.selfId
    ? await act('send_group_msg', { group_id: gid, message })
    : await act('sim_member_say', { group_id: gid, user_id: speaker, message });
  if (!r) return;
  $('composer').value = '';
  clearImage();
  if (speaker === state.selfId) showSent(r.message_id);
}

function clearImage() {
  state.image = null;
  $('image').value = '';
  $('attached').replaceChildren();
}

function attachImage() {
  const f = $('image').files[0];
  if (!f) return;
  if (f.size > MAX_IMAGE) {
    toast('the image is larger than ' + size(MAX_IMAGE));
    return;
  }
  const r = new FileReader();
  r.onload = () => {
    const url = String(r.result);
    state.image = url.slice(url.indexOf(',') + 1);
    $('attached').replaceChildren(el('img', { src: url, alt: f.name, class: 'thumb' }),
      el('button', { type: 'button', class: 'mini', text: '✕', title: 'remove the image', onclick: clearImage }));
  };
  r.readAsDataURL(f);
}

async function join(ev) {
  ev.preventDefault();
  const uid = Number($('join-user').value);
  if (!uid) return;
  const params = { group_id: state.gid, user_id: uid, comment: $('join-answer').value };
  if ($('join-nick').value) params.nickname = $('join-nick').value;
  if (await act('sim_member_request', params)) $('join-form').reset();
}

async function leave() {
  const uid = Number($('speaker').value);
  if (uid === state.selfId) await act('set_group_leave', { group_id: state.gid });
  else await act('sim_member_leave', { group_id: state.gid, user_id: uid });
}

/* ------------------------------------------------------------------ start */

function start() {
  const q = new URLSearchParams(location.search);
  if (q.has('token')) {
    sessionStorage.setItem(TOKEN_KEY, q.get('token'));
    q.delete('token'); /* not left in the address bar, the history or a screenshot */
    history.replaceState(null, '', location.pathname + (q.toString() ? '?' + q : '') + location.hash);
  }
  state.token = sessionStorage.getItem(TOKEN_KEY);
  $('login').addEventListener('submit', (ev) => {
    ev.preventDefault();
    state.token = $('login-token').value;
    sessionStorage.setItem(TOKEN_KEY, state.token);
    $('login-token').value = '';
    $('login').hidden = true;
    connect();
  });
  $('composer-form').addEventListener('submit', send);
  $('image').addEventListener('change', attachImage);
  $('join-form').addEventListener('submit', join);
  $('leave').addEventListener('click', leave);
  for (const what of ['card', 'title', 'ban', 'unban', 'admin', 'kick'])
    $('act-' + (what === 'card' || what === 'title' ? what + '-set' : what)).addEventListener('click', () => ownerAct(what));
  connect();
}

start();
