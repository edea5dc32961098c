// Filter and the predicates that steer transforms, with Kafka's class names and config keys:
// TopicNameMatches (`pattern`), HasHeaderKey (`name`), RecordIsTombstone.

import { fullMatch } from "./routers.js";
import { type PredicatePlugin, TRANSFORMS_PACKAGE, type TransformPlugin } from "./types.js";

/** Drops every record it is applied to: with a predicate (and `negate`), the ones that match. */
export const FILTER: TransformPlugin = {
  class: `${TRANSFORMS_PACKAGE}.Filter`,
  config: [],
  create: () => ({ apply: () => null }),
};

const PREDICATES_PACKAGE = `${TRANSFORMS_PACKAGE}.predicates`;

export const PREDICATES: PredicatePlugin[] = [
  {
    class: `${PREDICATES_PACKAGE}.TopicNameMatches`,
    config: [
      {
        name: "pattern",
        type: "STRING",
        importance: "MEDIUM",
        documentation: "A Java regular expression for matching against the name of a record's topic.",
        validate: (v) => {
          if (String(v) === "") return "pattern must not be empty";
          try {
            fullMatch(String(v));
            return undefined;
          } catch (e) {
            return `Invalid regex: ${(e as Error).message}`;
          }
        },
      },
    ],
    create(v) {
      const re = fullMatch(String(v.pattern));
      return { test: (r) => re.test(r.topic) };
    },
  },
  {
    class: `${PREDICATES_PACKAGE}.HasHeaderKey`,
    config: [{ name: "name", type: "STRING", importance: "MEDIUM", documentation: "The header name." }],
    create(v) {
      const name = String(v.name);
      return { test: (r) => r.headers.some((h) => h.key === name) };
    },
  },
  {
    class: `${PREDICATES_PACKAGE}.RecordIsTombstone`,
    config: [],
    create: () => ({ test: (r) => r.value === null }),
  },
];
