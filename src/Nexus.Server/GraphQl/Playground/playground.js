// The Nexus GraphQL playground: sends the query to /graphql on this server (no other origin, no CDN).
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const output = $("output");
  const keyField = $("key");
  keyField.value = sessionStorage.getItem("nexus-graphql-key") || "";
  keyField.addEventListener("change", () => sessionStorage.setItem("nexus-graphql-key", keyField.value));

  async function send(query, variables) {
    const headers = { "Content-Type": "application/json", "Accept": "application/json" };
    if (keyField.value) headers["Authorization"] = "Bearer " + keyField.value;
    const response = await fetch("/graphql", { method: "POST", headers, body: JSON.stringify({ query, variables }) });
    const text = await response.text();
    try {
      return { status: response.status, body: JSON.stringify(JSON.parse(text), null, 2) };
    } catch {
      return { status: response.status, body: text };
    }
  }

  async function run() {
    let variables = {};
    const raw = $("variables").value.trim();
    if (raw) {
      try {
        variables = JSON.parse(raw);
      } catch (e) {
        output.textContent = "Variables are not JSON: " + e.message;
        return;
      }
    }
    output.textContent = "…";
    try {
      const answer = await send($("query").value, variables);
      output.textContent = (answer.status === 200 ? "" : "HTTP " + answer.status + "\n") + answer.body;
    } catch (e) {
      output.textContent = "Request failed: " + e.message;
    }
  }

  async function schema() {
    const query = "{ __schema { types { name kind description fields { name description type { name kind ofType { name kind } } } } } }";
    output.textContent = "…";
    const answer = await send(query, {});
    try {
      const types = JSON.parse(answer.body).data.__schema.types.filter((t) => !t.name.startsWith("__") && t.kind === "OBJECT");
      output.textContent = types.map((t) => "type " + t.name + " {\n" + (t.fields || []).map((f) => "  " + f.name + ": " + typeName(f.type)).join("\n") + "\n}").join("\n\n");
    } catch {
      output.textContent = answer.body;
    }
  }

  function typeName(t) {
    if (!t) return "?";
    if (t.kind === "NON_NULL") return typeName(t.ofType) + "!";
    if (t.kind === "LIST") return "[" + typeName(t.ofType) + "]";
    return t.name;
  }

  $("run").addEventListener("click", run);
  $("schema").addEventListener("click", schema);
  document.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) run();
  });
})();
