// A Worker that is edgelog plus word-count, whose tasks run in Durable Objects (their stores in
// each object's SQLite): `npx wrangler dev examples/streams/worker.ts`, then produce to text-lines.
import edgelog from "edgelog/worker";
import { streamsWorker } from "edgelog/streams/worker";
import { topics, wordCount } from "./word-count.js";

export * from "edgelog/worker";
export default streamsWorker(edgelog, [
  {
    topology: wordCount,
    config: { applicationId: "word-count", processingGuarantee: "exactly_once", createTopics: topics },
    instances: 2,
  },
]);
