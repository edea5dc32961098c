// Cast: changes the type of fields, or of the whole key or value, as Kafka's Cast transform does
// for schemaless data (`spec`: "field:type,..." or a single type).

import { toBase64 } from "../../util/base64.js";
import type { ConfigValue } from "../config.js";
import { type Data, type DataMap, DataException, isMap, typeName } from "../record.js";
import { operating, type Side, TRANSFORMS_PACKAGE, type TransformPlugin, withOperating } from "./types.js";

const TYPES = ["int8", "int16", "int32", "int64", "float32", "float64", "boolean", "string"] as const;
type CastType = (typeof TYPES)[number];
const WHOLE = "";

function parseSpec(value: ConfigValue): Map<string, CastType> {
  const entries = Array.isArray(value) ? value : [];
  if (entries.length === 0) throw new DataException("Must specify at least one field to cast.");
  const spec = new Map<string, CastType>();
  for (const e of entries) {
    const parts = e.split(":");
    if (parts.length > 2 || (parts.length === 1 && entries.length > 1))
      throw new DataException(`Invalid cast mapping: ${e}; use field:type pairs, or one type for the whole value`);
    const [field, type] = parts.length === 1 ? [WHOLE, parts[0]!] : [parts[0]!, parts[1]!];
    if (!(TYPES as readonly string[]).includes(type.trim().toLowerCase()))
      throw new DataException(`Invalid type found in casting spec: ${type.trim()}; use ${TYPES.join(", ")}`);
    spec.set(field.trim(), type.trim().toLowerCase() as CastType);
  }
  return spec;
}

/** Java's narrowing of a long to `bits` (Number.byteValue(), shortValue(), intValue()). */
function narrow(n: number, bits: 8 | 16 | 32 | 64): number {
  const whole = Math.trunc(n);
  if (bits === 64) return Number(BigInt.asIntN(64, BigInt(whole)));
  return Number(BigInt.asIntN(bits, BigInt(whole)));
}

function toNumber(value: Data, type: CastType): number {
  if (typeof value === "number") return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "string") {
    const t = value.trim();
    const integral = type.startsWith("int");
    if (integral ? !/^[+-]?\d+$/.test(t) : t === "" || !Number.isFinite(Number(t)))
      throw new DataException(`Value ${JSON.stringify(value)} cannot be cast to ${type}`);
    return Number(t);
  }
  throw new DataException(`Cast transformation does not support casting to/from ${typeName(value)}`);
}

export function castValue(value: Data, type: CastType): Data {
  if (value === null) return null;
  if (isMap(value) || Array.isArray(value))
    throw new DataException(`Cast transformation does not support casting to/from ${typeName(value)}`);
  switch (type) {
    case "int8":
      return narrow(toNumber(value, type), 8);
    case "int16":
      return narrow(toNumber(value, type), 16);
    case "int32":
      return narrow(toNumber(value, type), 32);
    case "int64":
      return narrow(toNumber(value, type), 64);
    case "float32":
      return Math.fround(toNumber(value, type));
    case "float64":
      return toNumber(value, type);
    case "boolean":
      if (typeof value === "string") return value.trim().toLowerCase() === "true";
      return toNumber(value, type) !== 0;
    case "string":
      return value instanceof Uint8Array ? toBase64(value) : String(value);
  }
}

function cast(side: Side): TransformPlugin {
  return {
    class: `${TRANSFORMS_PACKAGE}.Cast${side === "key" ? "$Key" : "$Value"}`,
    config: [
      {
        name: "spec",
        type: "LIST",
        importance: "HIGH",
        documentation:
          "List of fields and the type to cast them to of the form field1:type,field2:type to cast fields of Maps or Structs. A single type to cast the entire value. Valid types are int8, int16, int32, int64, float32, float64, boolean, and string.",
        validate: (v) => {
          try {
            parseSpec(v);
            return undefined;
          } catch (e) {
            return (e as Error).message;
          }
        },
      },
    ],
    create(v) {
      const spec = parseSpec(v.spec!);
      const whole = spec.get(WHOLE);
      return {
        apply(r) {
          const data = operating(r, side);
          if (whole) return withOperating(r, side, castValue(data, whole));
          if (data === null) return r;
          if (!isMap(data))
            throw new DataException(
              `Only Map objects supported in absence of schema for [cast types], found: ${typeName(data)}`,
            );
          const out: DataMap = { ...data };
          for (const [field, type] of spec) if (field in out) out[field] = castValue(out[field]!, type);
          return withOperating(r, side, out);
        },
      };
    },
  };
}

export const CAST_TRANSFORMS: TransformPlugin[] = [cast("key"), cast("value")];
