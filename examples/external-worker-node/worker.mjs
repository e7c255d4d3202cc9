// A Nexus external worker in plain Node.js 20 (global fetch, no npm packages). It registers the plugins below,
// leases their tasks with long polls, heartbeats the running ones, and hands in results in batches.
// Run: node worker.mjs   (settings: NEXUS_URL, NEXUS_API_KEY, NEXUS_WORKER_ID, NEXUS_CONCURRENCY)
import os from "node:os";

const server = (process.env.NEXUS_URL ?? "http://127.0.0.1:5080").replace(/\/$/, "");
const apiKey = process.env.NEXUS_API_KEY;
const workerId = process.env.NEXUS_WORKER_ID ?? `node-${os.hostname()}-${process.pid}`;
const concurrency = Number(process.env.NEXUS_CONCURRENCY ?? 4);
const queue = process.env.NEXUS_QUEUE ?? "js";

// The plugins this worker serves: a name, an args schema (the subset of JSON Schema Nexus checks at submit), and a
// function from args to result. Throwing fails the attempt; `error.retryable = false` makes it dead at once.
const plugins = {
  "js.uppercase": {
    description: "Upper-cases a text.",
    argsSchema: {
      type: "object", additionalProperties: false, required: ["text"],
      properties: { text: { type: "string", maxLength: 10000 } },
    },
    run: async ({ text }) => ({ text: text.toUpperCase(), length: text.length }),
  },
  "js.sum": {
    description: "Adds numbers; fails (not retryable) when asked to.",
    argsSchema: {
      type: "object", additionalProperties: false, required: ["numbers"],
      properties: { numbers: { type: "array", items: { type: "number" }, maxItems: 100000 }, fail: { type: "boolean" } },
    },
    run: async ({ numbers, fail }) => {
      if (fail) throw Object.assign(new Error("asked to fail"), { retryable: false });
      return { sum: numbers.reduce((a, b) => a + b, 0), count: numbers.length };
    },
  },
};

const base = `${server}/api/v1/workers/${encodeURIComponent(workerId)}`;
const headers = { "Content-Type": "application/json", ...(apiKey ? { Authorization: `Bearer ${apiKey}` } : {}) };
const log = (...args) => console.log(new Date().toISOString(), `[${workerId}]`, ...args);

async function call(method, path, body, signal) {
  const response = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const error = new Error(`${method} ${path}: ${response.status} ${json?.detail ?? text}`);
    error.status = response.status;
    error.code = json?.code;
    throw error;
  }
  return json;
}

async function register() {
  const declared = Object.entries(plugins).map(([name, p]) => ({ name, description: p.description, queue, argsSchema: p.argsSchema }));
  const info = await call("PUT", "", { plugins: declared, concurrency, host: os.hostname() });
  log(`registered with ${server}: plugins ${info.plugins.join(", ")} from queue(s) ${info.queues.join(", ")}`);
  return info;
}

const running = new Map(); // task id -> { leaseToken, abort }
const finished = [];       // completions waiting to be handed in
let stopping = false;
const stopController = new AbortController();

async function runTask(task) {
  const controller = new AbortController();
  running.set(task.id, { leaseToken: task.leaseToken, abort: controller });
  try {
    const result = await plugins[task.plugin].run(task.args, { attempt: task.attempt, signal: controller.signal });
    finished.push({ id: task.id, leaseToken: task.leaseToken, outcome: "succeeded", result });
  } catch (error) {
    finished.push(controller.signal.aborted
      ? { id: task.id, leaseToken: task.leaseToken, outcome: "cancelled" }
      : { id: task.id, leaseToken: task.leaseToken, outcome: "failed", retryable: error.retryable !== false,
          error: { type: error.name ?? "Error", message: String(error.message ?? error), stackTrace: error.stack } });
  }
  await flush();
}

let flushing = Promise.resolve();
function flush() {
  // One complete call at a time; whatever finished meanwhile goes in the next batch.
  flushing = flushing.then(async () => {
    if (finished.length === 0) return;
    const batch = finished.splice(0, finished.length);
    try {
      const { results } = await call("POST", "/complete", { completions: batch });
      for (const r of results) {
        if (!r.accepted) log(`task ${r.id}: result refused (the lease was lost)`);
      }
      for (const c of batch) running.delete(c.id);
    } catch (error) {
      log(`complete failed, will retry: ${error.message}`);
      finished.unshift(...batch);
    }
  });
  return flushing;
}

async function heartbeatLoop(everyMs) {
  while (!stopping) {
    await new Promise((resolve) => setTimeout(resolve, everyMs));
    const leases = [...running.entries()].map(([id, r]) => ({ id, leaseToken: r.leaseToken }));
    if (leases.length === 0) continue;
    try {
      const { leases: states } = await call("POST", "/heartbeat", { leases });
      for (const s of states) {
        if (s.status !== "ok") running.get(s.id)?.abort.abort(); // lost or cancel requested: stop that task
      }
    } catch (error) {
      log(`heartbeat failed: ${error.message}`);
    }
  }
}

async function leaseLoop(info) {
  while (!stopping) {
    const free = concurrency - running.size;
    if (free <= 0) {
      await flushing;
      await new Promise((resolve) => setTimeout(resolve, 10));
      continue;
    }
    try {
      const { tasks } = await call("POST", "/lease", { max: Math.min(free, info.maxLease), waitMs: 20000 }, stopController.signal);
      for (const task of tasks) runTask(task);
    } catch (error) {
      if (stopping) break;
      if (error.code === "worker-not-registered") {
        info = await register();
        continue;
      }
      log(`lease failed, retrying in 1 s: ${error.message}`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  log(`${signal}: finishing, then deregistering`);
  stopController.abort();
  await flush();
  try {
    const { released } = await call("DELETE", "");
    log(`deregistered; ${released} unfinished task(s) handed back`);
  } catch (error) {
    log(`deregister failed: ${error.message}`);
  }
  process.exit(0);
}

process.on("SIGINT", () => shutdown("SIGINT"));
process.on("SIGTERM", () => shutdown("SIGTERM"));

const info = await register();
heartbeatLoop(Math.max(100, Math.floor(info.heartbeatMs / 2)));
await leaseLoop(info);
