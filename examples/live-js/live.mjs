// Nexus live documents from Node 20+ with no packages: subscribe to a model with a filter over /ws and keep a local
// copy up to date by applying each change's slim JSON Patch. Resumes after its last cursor when the connection drops.
//
//   NEXUS_URL=http://127.0.0.1:5080 NEXUS_KEY=nx_… node examples/live-js/live.mjs shop orders '{"priority":{"$eq":"high"}}'
//
// Node 22 has a global WebSocket; on Node 20 run with --experimental-websocket. Browsers: the same code works in a
// page, with a token from POST /api/v1/live/tokens passed as ?access_token= (browsers cannot set headers).
const [app = 'shop', model = 'orders', filter] = process.argv.slice(2);
const base = process.env.NEXUS_URL ?? 'http://127.0.0.1:5080';
const key = process.env.NEXUS_KEY;
const headers = key ? { Authorization: `Bearer ${key}` } : {};

const docs = new Map(); // id -> document
let cursor = null;

// RFC 6902 subset the server sends in slim patches: add, remove, replace (objects member by member).
function applyPatch(doc, ops) {
  for (const op of ops) {
    const parts = op.path.split('/').slice(1).map(p => p.replaceAll('~1', '/').replaceAll('~0', '~'));
    if (parts.length === 0) { doc = structuredClone(op.value); continue; }
    let target = doc;
    for (const p of parts.slice(0, -1)) target = target[p];
    const last = parts.at(-1);
    if (op.op === 'remove') { Array.isArray(target) ? target.splice(Number(last), 1) : delete target[last]; }
    else if (op.op === 'add' && Array.isArray(target)) { last === '-' ? target.push(op.value) : target.splice(Number(last), 0, op.value); }
    else target[last] = structuredClone(op.value);
  }
  return doc;
}

async function snapshot() {
  // Take the head first, then read: nothing can fall between the two.
  const head = await fetch(`${base}/api/v1/namespaces/${app}/state-watch?prefix=&timeout=0s`, { headers }).then(r => r.json());
  const query = filter ? `&filter=${encodeURIComponent(filter)}` : '';
  let after = '';
  docs.clear();
  do {
    const page = await fetch(`${base}/api/v1/apps/${app}/models/${model}/documents?limit=1000${query}${after}`, { headers }).then(r => r.json());
    for (const d of page.items) docs.set(d.id, d.document);
    after = page.next ? `&after=${encodeURIComponent(page.next)}` : '';
  } while (after);
  cursor = head.next;
}

function connect() {
  const url = new URL('/ws', base.replace(/^http/, 'ws'));
  // Node's WebSocket takes headers through a non-standard second argument; a browser uses ?access_token= instead.
  const ws = new WebSocket(url, { headers });
  ws.onopen = () => ws.send(JSON.stringify({
    type: 'subscribe', sub: 'docs', namespace: app, after: cursor,
    channels: [{ channel: `docs:${model}`, filter: filter ? JSON.parse(filter) : null }],
  }));
  ws.onmessage = async ({ data }) => {
    const m = JSON.parse(data);
    if (m.type === 'change') {
      if (m.op === 'created') docs.set(m.id, m.document);
      else if (m.op === 'updated' && docs.has(m.id)) docs.set(m.id, applyPatch(docs.get(m.id), m.patch));
      else if (m.op === 'deleted') docs.delete(m.id);
      cursor = m.cursor;
      console.log(`${m.cursor} ${m.op} ${m.id} v${m.version}`, docs.get(m.id) ?? '');
    } else if (m.type === 'resync') {
      ws.close(); await snapshot(); // retention passed our cursor: read again, then go on from the new head
    } else if (m.type === 'error' || m.type === 'closing') {
      console.error(m.code, m.message);
    }
  };
  ws.onclose = () => setTimeout(connect, 500); // resume after the last cursor
}

await snapshot();
console.log(`${docs.size} documents; following ${app}/${model} from ${cursor}`);
connect();
