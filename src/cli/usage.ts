// Flag values checked into a Command's typed fields; a bad value is a UsageError with the command's help.

import { ISOLATION_LEVELS, VALUE_FORMATS, type IsolationLevel, type ValueFormat } from "../protocol/constants.js";
import { UsageError } from "./command.js";

export class Usage {
  constructor(private readonly help: string) {}

  fail(message: string): never {
    throw new UsageError(message, this.help);
  }

  int(flag: string, raw: string | undefined, min: number): number | undefined {
    if (raw === undefined) return undefined;
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw)) || Number(raw) < min) {
      this.fail(`${flag} must be an integer >= ${min}, got '${raw}'`);
    }
    return Number(raw);
  }

  required(flag: string, raw: string | undefined): string {
    if (raw === undefined) this.fail(`missing ${flag}`);
    return raw;
  }

  digits(flag: string, raw: string | undefined): string | undefined {
    if (raw !== undefined && !/^\d{1,16}$/.test(raw)) this.fail(`${flag} must be a producer id (digits), got '${raw}'`);
    return raw;
  }

  isolation(raw: string | undefined): IsolationLevel | undefined {
    if (raw === undefined || (ISOLATION_LEVELS as readonly string[]).includes(raw)) return raw as IsolationLevel;
    return this.fail(`--isolation must be ${ISOLATION_LEVELS.join(" or ")}, got '${raw}'`);
  }

  acks(raw: string | undefined): 1 | "all" {
    if (raw === undefined || raw === "1") return 1;
    if (raw === "all" || raw === "-1") return "all";
    this.fail(`--acks must be 1 or all, got '${raw}'`);
  }

  decode(raw: string | undefined): "registry" | undefined {
    if (raw === undefined || raw === "registry") return raw;
    return this.fail(`--decode takes registry, got ${JSON.stringify(raw)}`);
  }

  format(raw: string | undefined): ValueFormat {
    if (raw === undefined) return "string";
    if (!(VALUE_FORMATS as readonly string[]).includes(raw))
      this.fail(`--format must be one of ${VALUE_FORMATS.join(", ")}, got '${raw}'`);
    return raw as ValueFormat;
  }

  sep(raw: string | undefined): string | undefined {
    if (raw === "") this.fail("--key-sep must not be empty");
    // Shells pass "\t" literally; accept the escapes kcat users type.
    return raw?.replace(/\\t/g, "\t").replace(/\\n/g, "\n");
  }

  config(pairs: string[] | undefined): Record<string, string> {
    const out: Record<string, string> = {};
    for (const p of pairs ?? []) {
      const eq = p.indexOf("=");
      if (eq <= 0) this.fail(`--config takes key=value, got '${p}'`);
      out[p.slice(0, eq)] = p.slice(eq + 1);
    }
    return out;
  }

  resetTarget(to: string): "earliest" | "latest" | { offset: number } | { timestamp: number } {
    if (to === "earliest" || to === "latest") return to;
    if (/^\d+$/.test(to)) return { offset: Number(to) };
    if (/^@\d+$/.test(to)) return { timestamp: Number(to.slice(1)) };
    const t = Date.parse(to);
    if (Number.isNaN(t)) this.fail(`--to must be earliest, latest, an offset, @MS or an ISO 8601 time, got '${to}'`);
    return { timestamp: t };
  }
}
