// Entry point bundled to dist/cli.js for the `edgelog` bin.

import { runGateway } from "../gateway/main.js";
import { main } from "./main.js";

const argv = process.argv.slice(2);
// The Kafka gateway is a long-running server, not a request: it takes over the process.
if (argv[0] === "kafka-gateway") {
  void runGateway(argv.slice(1)).then((code) => {
    if (code !== undefined) process.exit(code);
  });
} else
  main(argv, process.env).then((code) => {
    process.exitCode = code;
    // Pending sockets (a long-poll being aborted) must not hold the process open.
    setTimeout(() => process.exit(code), 100).unref();
  });
