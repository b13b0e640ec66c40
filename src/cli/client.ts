// The CLI's client commands: they talk to a running `wasmvisor serve` over its HTTP API
// (--host URL or WASMVISOR_HOST; default the local host), print human tables, or JSON with --json.
import { resolve } from "node:path";
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
      const vms = (await (await call("GET", "/vms")).json()) as { id: string; mode?: string; state: string; reason?: string }[];
      if (a.json) { write(JSON.stringify(vms, null, 2) + "\n"); return 0; }
      write(table([["ID", "MODE", "STATE", "REASON"], ...vms.map((v) => [v.id, v.mode ?? "", v.state, v.reason ?? ""])]));
      return 0;
    }
    case "cluster": {
      if (a.cluster === "create") await call("PUT", `/cluster/vms/${id}`, a.body);
      else if (a.cluster === "rm") await call("DELETE", `/cluster/vms/${id}`);
      else {
        const rows = (await (await call("GET", a.cluster === "hosts" ? "/cluster/hosts" : "/cluster/vms")).json()) as Record<string, unknown>[];
        if (a.json) { write(JSON.stringify(rows, null, 2) + "\n"); return 0; }
        const s = (v: unknown) => (v === undefined || v === null ? "" : String(v));
        write(a.cluster === "hosts"
          ? table([["HOST", "API", "MEMORY", "LEADER"], ...rows.map((h) => [s(h.id), s(h.api), `${s(h.memory_limit_mib)} MiB`, h.leader ? "yes" : ""])])
          : table([["ID", "STATE", "HOST", "RESTARTS", "REASON"], ...rows.map((v) => [s(v.id), s(v.state), s(v.host), s(v.restarts), s(v.reason)])]));
        return 0;
      }
      break;
    }
    case "create": await call("PUT", `/vms/${id}`, a.body); break;
    case "snapshot": {
      const snap = a.snapshot!;
      const path = resolve(snap.file);
      if (snap.op === "create") {
        // A running VM is paused for the snapshot and resumed after it.
        const { state } = (await (await call("GET", `/vms/${id}`)).json()) as { state: string };
        if (state === "running") await call("PUT", `/vms/${id}/actions`, { action_type: "Pause" });
        try { await call("PUT", `/vms/${id}/snapshot/create`, { snapshot_type: snap.diff ? "Diff" : "Full", snapshot_path: path, ...(snap.compress && { compress: true }) }); } finally {
          if (state === "running") await call("PUT", `/vms/${id}/actions`, { action_type: "Resume" });
        }
        write(a.json ? JSON.stringify({ id: a.id, file: path }) + "\n" : `saved ${a.id} to ${path}\n`);
      } else {
        const r = (await (await call("PUT", "/snapshot/load", { snapshot_path: path, resume_vm: !snap.paused })).json()) as { id: string; state: string };
        write(a.json ? JSON.stringify(r) + "\n" : `loaded ${r.id} from ${path} (${r.state})\n`);
      }
      return 0;
    }
    case "console": {
      await call("GET", `/vms/${id}`); // a clear error for an unknown VM
      return attachConsole(base.replace(/^http/, "ws") + `/vms/${id}/console/ws`, token);
    }
    case "migrate": {
      const r = (await (await call("PUT", `/vms/${id}/migrate`, { destination: a.to })).json()) as { rounds: number; round_pages: number[]; bytes: number; total_ms: number; downtime_ms: number };
      write(a.json ? JSON.stringify(r) + "\n"
        : `migrated ${a.id} to ${a.to}: ${r.rounds} rounds (${r.round_pages.join(", ")} pages), ${(r.bytes / 2 ** 20).toFixed(1)} MiB in ${Math.round(r.total_ms)} ms, downtime ${r.downtime_ms} ms\n`);
      return 0;
    }
    case "rm": await call("DELETE", `/vms/${id}`); break;
    case "logs": write(await (await call("GET", `/vms/${id}/console`)).text()); return 0;
    case "events": {
      const ev = (await (await call("GET", `/vms/${id}/events`)).json()) as { time: number; type: string; detail?: string }[];
      if (a.json) { write(JSON.stringify(ev, null, 2) + "\n"); return 0; }
      write(ev.map((e) => `${new Date(e.time).toISOString()}  ${e.type}${e.detail ? `  ${e.detail}` : ""}`).join("\n") + (ev.length ? "\n" : ""));
      return 0;
    }
    default: await call("PUT", `/vms/${id}/actions`, { action_type: ACTION[a.verb], ...(a.timeoutMs !== undefined ? { timeout_ms: a.timeoutMs } : {}) });
  }
  if (a.json) write(JSON.stringify({ ok: true }) + "\n");
  return 0;
}

/** Rows as columns two spaces apart (the last column unpadded). */
function table(rows: string[][]): string {
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]))).join("  ").trimEnd()).join("\n") + "\n";
}

/** Attaches the terminal to a VM's console WebSocket until Ctrl-A x, the end of stdin or the socket closing. */
async function attachConsole(url: string, token: string | undefined): Promise<number> {
  const { WebSocket } = await import("ws");
  const ws = new WebSocket(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  const stdin = process.stdin;
  const tty = stdin.isTTY === true;
  return new Promise((resolve) => {
    let escape = false;
    const done = (code: number) => {
      if (tty) stdin.setRawMode(false);
      stdin.pause();
      ws.close();
      resolve(code);
    };
    ws.on("open", () => {
      if (tty) stdin.setRawMode(true);
      stdin.on("data", (chunk: Buffer) => {
        if (!tty) { ws.send(chunk); return; }
        const out: number[] = [];
        for (const b of chunk) {
          if (escape) { escape = false; if (b === 0x78) { done(0); return; } if (b !== 1) out.push(1); out.push(b); }
          else if (b === 1) escape = true;
          else out.push(b);
        }
        if (out.length) ws.send(Buffer.from(out));
      });
      stdin.on("end", () => setTimeout(() => done(0), 200));
      stdin.resume();
    });
    ws.on("message", (d: Buffer) => process.stdout.write(d));
    ws.on("close", () => done(0));
    ws.on("error", (e: Error) => { process.stderr.write(`wasmvisor: console: ${e.message}\n`); done(1); });
  });
}
