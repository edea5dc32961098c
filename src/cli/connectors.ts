// The CLI's connector commands: Kafka Connect's REST API under /v1/connectors, over the SDK's transport.

import { readFile } from "node:fs/promises";
import { EdgelogError } from "../client/index.js";
import type { Transport } from "../client/transport.js";
import type { Command } from "./command.js";
import type { Io } from "./io.js";

type ConnectorCommand = Extract<Command, { kind: `connectors.${string}` }>;

const enc = encodeURIComponent;

/** A JSON object from a file, or a one-line error naming the file. */
async function jsonFile(file: string): Promise<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, "utf8"));
  } catch (e) {
    throw new EdgelogError("INVALID_REQUEST", `cannot read ${file} as JSON: ${(e as Error).message}`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
    throw new EdgelogError("INVALID_REQUEST", `${file} must hold a JSON object`);
  return parsed as Record<string, unknown>;
}

async function configOf(cmd: { config: Record<string, string>; file?: string }): Promise<Record<string, unknown>> {
  if (cmd.file === undefined) return cmd.config;
  const o = await jsonFile(cmd.file);
  // Either the config map itself, or POST /v1/connectors' {"name", "config"}.
  return typeof o.config === "object" && o.config !== null ? (o.config as Record<string, unknown>) : o;
}

export async function runConnectorCommand(cmd: ConnectorCommand, http: Transport, io: Io): Promise<void> {
  const json = (v: unknown) => io.out(`${JSON.stringify(v, null, 2)}\n`);
  const path = (name: string, rest = "") => `/v1/connectors/${enc(name)}${rest}`;
  switch (cmd.kind) {
    case "connectors.list": {
      const status = await http.request<Record<string, { status: { connector: { state: string }; type: string } }>>(
        "GET",
        "/v1/connectors?expand=status",
      );
      for (const [name, s] of Object.entries(status).sort(([a], [b]) => (a < b ? -1 : 1)))
        await io.out(`${name}\t${s.status.type}\t${s.status.connector.state}\n`);
      return;
    }
    case "connectors.plugins": {
      const plugins = await http.request<{ class: string; type: string }[]>(
        "GET",
        `/v1/connector-plugins?connectorsOnly=${!cmd.all}`,
      );
      for (const p of plugins) await io.out(`${p.class}\t${p.type}\n`);
      return;
    }
    case "connectors.create":
      return json(await http.request("POST", "/v1/connectors", { name: cmd.name, config: await configOf(cmd) }));
    case "connectors.update":
      return json(await http.request("PUT", path(cmd.name, "/config"), await configOf(cmd)));
    case "connectors.validate": {
      const infos = await http.request<{
        error_count: number;
        configs: { value: { name: string; errors: string[] } }[];
      }>("PUT", `/v1/connector-plugins/${enc(cmd.plugin)}/config/validate`, await configOf(cmd));
      for (const c of infos.configs) for (const e of c.value.errors) await io.out(`${c.value.name}: ${e}\n`);
      await io.out(`${infos.error_count} error(s)\n`);
      if (infos.error_count > 0) throw new EdgelogError("INVALID_CONFIG", "the config is invalid");
      return;
    }
    case "connectors.get": {
      const rest = cmd.what === "describe" ? "" : `/${cmd.what}`;
      return json(await http.request("GET", path(cmd.name, rest)));
    }
    case "connectors.set-state":
      await http.request("PUT", path(cmd.name, `/${cmd.to}`));
      return;
    case "connectors.restart":
      if (cmd.task !== undefined) {
        await http.request("POST", path(cmd.name, `/tasks/${cmd.task}/restart`));
        return;
      }
      return json(
        await http.request(
          "POST",
          path(cmd.name, `/restart?includeTasks=${cmd.includeTasks}&onlyFailed=${cmd.onlyFailed}`),
        ),
      );
    case "connectors.delete":
      await http.request("DELETE", path(cmd.name));
      return;
    case "connectors.alter-offsets": {
      if (cmd.reset) return json(await http.request("DELETE", path(cmd.name, "/offsets")));
      if (cmd.file !== undefined) {
        return json(await http.request("PATCH", path(cmd.name, "/offsets"), await jsonFile(cmd.file)));
      }
      return json(await http.request("GET", path(cmd.name, "/offsets")));
    }
  }
}
