// The CLI's client commands: they talk to a running `wasmvisor serve` over its HTTP API
// (--host URL or WASMVISOR_HOST; default the local host), print human tables, or JSON with --json.
import { DEFAULT_LISTEN, type ClientArgs, type ClientVerb } from "./args.js";
import { SetupError } from "./run-command.js";

import { ClientError } from "./client-error.js";

const ACTION: Partial<Record<ClientVerb, string>> = { start: "InstanceStart", stop: "Stop", pause: "Pause", resume: "Resume", reboot: "Reboot" };

export async function clientCommand(a: ClientArgs, write: (s: string) => void): Promise<number> {
  const base = (a.host ?? process.env.WASMVISOR_HOST ?? `http://${DEFAULT_LISTEN}`).replace(/\/$/, "");
  const token = a.token ?? process.env.WASMVISOR_TOKEN;
  const call = async (method: string, path: string, body?: unknown): Promise<Response> => {
    let r: Response;
    try {
      r = await fetch(base + path, {
        method,
        headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
    } catch (e) {
      throw new SetupError(`cannot reach wasmvisor serve at ${base}: ${(e as Error & { cause?: Error }).cause?.message ?? (e as Error).message}`);
    }
    if (!r.ok) {
      let msg = `${r.status} ${r.statusText}`;
      try { msg = ((await r.json()) as { fault_message?: string }).fault_message ?? msg; } catch { /* not JSON */ }
      throw new ClientError(msg);
    }
    return r;
  };
  const id = encodeURIComponent(a.id ?? "");
  switch (a.verb) {
    case "ps": {
      const vms = (await (await call("GET", "/vms")).json()) as { id: string; state: string; reason?: string }[];
      if (a.json) { write(JSON.stringify(vms, null, 2) + "\n"); return 0; }
      const rows = [["ID", "STATE", "REASON"], ...vms.map((v) => [v.id, v.state, v.reason ?? ""])];
      const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
      write(rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]))).join("  ").trimEnd()).join("\n") + "\n");
      return 0;
    }
    case "create": await call("PUT", `/vms/${id}`, a.body); break;
    case "rm": await call("DELETE", `/vms/${id}`); break;
    case "logs": write(await (await call("GET", `/vms/${id}/console`)).text()); return 0;
    case "events": {
      const ev = (await (await call("GET", `/vms/${id}/events`)).json()) as { time: number; type: string; detail?: string }[];
      if (a.json) { write(JSON.stringify(ev, null, 2) + "\n"); return 0; }
      write(ev.map((e) => `${new Date(e.time).toISOString()}  ${e.type}${e.detail ? `  ${e.detail}` : ""}`).join("\n") + (ev.length ? "\n" : ""));
      return 0;
    }
    default: await call("PUT", `/vms/${id}/actions`, { action_type: ACTION[a.verb] });
  }
  if (a.json) write(JSON.stringify({ ok: true }) + "\n");
  return 0;
}
